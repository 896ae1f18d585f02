import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, consent_withdraw, subject_get_or_create
from privacy.models import Disclosure
from privacy.services import disclosure_record

URL = reverse("accounts:privacy")


@pytest.fixture
def alice(client):
    user = UserFactory(email="alice@example.com")
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_it_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_shows_current_elections_ticked(client, alice):
    consent_grant(user=alice, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)

    html = client.get(URL).content.decode()

    assert re.search(r'<input type="checkbox" name="site_updates"[^>]* checked>', html)
    assert not re.search(r'<input type="checkbox" name="marketing"[^>]* checked>', html)


@pytest.mark.django_db
def test_each_election_says_its_state_since_when_and_how(client, alice):
    now = timezone.now()
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.EMAIL, occurred_at=now)
    # An older grant that arrives later is history, not the current state.
    consent_grant(
        user=alice,
        purpose=Purpose.MARKETING,
        source=Source.SIGNUP,
        occurred_at=now - timedelta(days=3),
    )

    states = [
        " ".join(p.split())
        for p in re.findall(
            r'<p class="help election-state"[^>]*>(.*?)</p>', client.get(URL).content.decode(), re.S
        )
    ]

    assert f"Stopped since {now:%-d %b %Y} (E-mail with “remove” in the subject)." in states
    assert states.count("Not allowed: you have never ticked this.") == len(states) - 1


@pytest.mark.django_db
def test_each_box_is_described_by_its_state_so_a_screen_reader_reads_it(client, alice):
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)

    html = client.get(URL).content.decode()

    for name in ("marketing", "site_updates", "resume_disclosure"):
        box = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html).group(0)
        assert f'aria-describedby="id_{name}_state"' in box
        assert html.count(f'id="id_{name}_state"') == 1
    state = re.search(r'id="id_marketing_state">(.*?)</p>', html, re.S).group(1)
    assert "Allowed" in state
    assert "since" in state


@pytest.mark.django_db
def test_ticking_records_a_preferences_grant(client, alice):
    response = client.post(URL, {"marketing": "on"})

    assert response.status_code == 302
    event = ConsentEvent.objects.get()
    assert (event.purpose, event.granted, event.source) == ("marketing", True, "preferences")
    assert consent_is_granted(user=alice, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_unticking_records_a_withdrawal_and_nothing_for_unchanged(client, alice):
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_grant(user=alice, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)

    client.post(URL, {"site_updates": "on"})

    assert not consent_is_granted(user=alice, purpose=Purpose.MARKETING)
    assert consent_is_granted(user=alice, purpose=Purpose.SITE_UPDATES)
    newest = ConsentEvent.objects.first()
    assert (newest.purpose, newest.granted, newest.source) == ("marketing", False, "preferences")
    assert ConsentEvent.objects.count() == 3


@pytest.mark.django_db
def test_saving_with_nothing_changed_records_nothing(client, alice):
    response = client.post(URL, {}, follow=True)

    assert ConsentEvent.objects.count() == 0
    assert "Nothing changed." in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_full_history(client, alice):
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.EMAIL)

    html = client.get(URL).content.decode()

    assert "Signup form" in html
    assert "E-mail with “remove” in the subject" in html


@pytest.mark.django_db
def test_it_shows_only_my_own_history(client, alice):
    bob = UserFactory(email="bob@example.com")
    consent_grant(user=bob, purpose=Purpose.MARKETING, source=Source.CHECKOUT)

    html = client.get(URL).content.decode()

    assert "Checkout form" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("events", [1, 40])
def test_query_count_does_not_grow_with_history(client, alice, django_assert_num_queries, events):
    for i in range(events):
        record = consent_grant if i % 2 == 0 else consent_withdraw
        record(user=alice, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
        disclosure_record(
            recipient=f"Recipient {i}",
            data_categories=["name"],
            basis=Disclosure.Basis.AUTHORIZATION,
            subjects=[subject_get_or_create(user=alice)],
        )

    client.get(URL)  # Warm the per-host partner cache, as on a running site.
    # session, user, current elections, the page's events (+ policy versions), the
    # person's verified addresses, the page's disclosures about any of them, signed-in
    # sessions, recent data exports; and how many events and how many disclosures,
    # counted only when there are more than a page of them
    with django_assert_num_queries({1: 8, 40: 10}[events]):
        response = client.get(URL)
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_links_to_the_pages_that_change_how_i_sign_in(client, alice):
    # allauth's own pages for these have no menu here (our layout replaces theirs), so
    # without these links a person could not find where to change their address or
    # turn on two-factor authentication.
    html = client.get(URL).content.decode()

    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in html, name


def _form_as_shown(html: str) -> dict:
    """What the browser sends for the elections form left as the page showed it: the
    ticked boxes and the hidden fields."""
    form = html[html.index(f'action="{URL}"') :]
    form = form[: form.index("</form>")]
    data = {
        re.search(r'name="(\w+)"', tag).group(1): "on"
        for tag in re.findall(r'<input type="checkbox"[^>]*>', form)
        if " checked" in tag
    }
    data |= dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="(\w+)"', form))
    return data


@pytest.mark.django_db
def test_a_box_left_as_shown_does_not_undo_a_choice_made_since_the_page_was_shown(client, alice):
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    data = _form_as_shown(client.get(URL).content.decode())
    # While the page is open, alice e-mails "remove" (or unsubscribes from a newsletter).
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.EMAIL)

    # Back on the open page, she ticks site updates only and saves.
    response = client.post(URL, data | {"site_updates": "on"}, follow=True)

    assert not consent_is_granted(user=alice, purpose=Purpose.MARKETING)
    assert consent_is_granted(user=alice, purpose=Purpose.SITE_UPDATES)
    assert "changed since you opened this page" in response.content.decode()


@pytest.mark.django_db
def test_a_box_changed_on_a_page_shown_before_another_choice_still_counts(client, alice):
    data = _form_as_shown(client.get(URL).content.decode())
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.CHECKOUT)
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.EMAIL)

    client.post(URL, data | {"marketing": "on"})

    assert consent_is_granted(user=alice, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_the_recovery_codes_page_scripts_carry_the_pages_csp_nonce(client, alice):
    # allauth's page brings scripts of its own; without the nonce the browser refuses
    # them under our policy. (The site crawl cannot reach the page: it needs two-factor.)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.tests.test_account_erasure import reauthenticate

    TOTP.activate(alice, generate_totp_secret())
    RecoveryCodes.activate(alice)
    reauthenticate(client)

    response = client.get(reverse("mfa_view_recovery_codes"), secure=True)

    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert len(scripts) == 3
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
