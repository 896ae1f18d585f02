"""My privacy lists where the person is signed in and lets them end those sessions."""

from datetime import timedelta
from importlib import import_module

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import tasks as accounts_tasks
from accounts.services import sessions_clear_ended
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_account_erasure import REAUTH_URL, reauthenticate

PRIVACY_URL = reverse("accounts:privacy")


def signed_in_client(user, user_agent="TestBrowser/1.0") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def alice():
    return UserFactory(email="alice@example.com")


@pytest.mark.django_db
def test_my_privacy_lists_sessions_and_marks_this_one(alice):
    laptop = signed_in_client(alice, "Laptop/1.0")
    signed_in_client(alice, "Phone/2.0")

    html = laptop.get(PRIVACY_URL).content.decode()

    assert "Laptop/1.0" in html
    assert "Phone/2.0" in html
    assert html.count("<strong>This browser</strong>") == 1
    assert "Sign out everywhere else" in html


@pytest.mark.django_db
def test_it_does_not_list_other_peoples_sessions(alice):
    signed_in_client(UserFactory(email="bob@example.com"), "BobBrowser/9")

    html = signed_in_client(alice).get(PRIVACY_URL).content.decode()

    assert "BobBrowser" not in html


@pytest.mark.django_db
def test_ending_another_session_signs_it_out(alice):
    laptop = signed_in_client(alice, "Laptop/1.0")
    phone = signed_in_client(alice, "Phone/2.0")
    phone_session = UserSession.objects.get(user_agent="Phone/2.0")
    reauthenticate(laptop)

    response = laptop.post(reverse("accounts:session_end", args=[phone_session.pk]))

    assert response.url == PRIVACY_URL
    assert phone.get(PRIVACY_URL).status_code == 302
    assert laptop.get(PRIVACY_URL).status_code == 200


@pytest.mark.django_db
def test_ending_this_session_signs_out_here(alice):
    laptop = signed_in_client(alice, "Laptop/1.0")

    laptop.post(reverse("accounts:session_end", args=[UserSession.objects.get().pk]))

    assert laptop.get(PRIVACY_URL).status_code == 302


@pytest.mark.django_db
def test_signing_out_everywhere_else_keeps_this_session(alice):
    laptop = signed_in_client(alice, "Laptop/1.0")
    others = [signed_in_client(alice, f"Other/{n}") for n in range(2)]
    reauthenticate(laptop)

    response = laptop.post(reverse("accounts:sessions_end_others"), follow=True)

    assert "Signed out of 2 other sessions." in response.content.decode()
    assert [c.get(PRIVACY_URL).status_code for c in others] == [302, 302]
    assert laptop.get(PRIVACY_URL).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ["one", "all"])
def test_ending_other_sessions_asks_for_the_password_again_first(alice, ending):
    # Else a session left open somewhere could sign its owner out everywhere else.
    laptop = signed_in_client(alice, "Laptop/1.0")
    phone = signed_in_client(alice, "Phone/2.0")
    phone_session = UserSession.objects.get(user_agent="Phone/2.0")
    url = {
        "one": reverse("accounts:session_end", args=[phone_session.pk]),
        "all": reverse("accounts:sessions_end_others"),
    }[ending]

    response = laptop.post(url)

    assert response.url.startswith(REAUTH_URL)
    assert phone.get(PRIVACY_URL).status_code == 200


@pytest.mark.django_db
def test_after_reauthentication_the_session_is_ended_as_asked(alice):
    laptop = signed_in_client(alice, "Laptop/1.0")
    phone = signed_in_client(alice, "Phone/2.0")
    phone_session = UserSession.objects.get(user_agent="Phone/2.0")
    laptop.post(reverse("accounts:session_end", args=[phone_session.pk]))

    response = laptop.post(
        REAUTH_URL,
        {"password": PASSWORD, "next": reverse("accounts:session_end", args=[phone_session.pk])},
    )

    assert response.status_code == 302
    assert phone.get(PRIVACY_URL).status_code == 302
    assert laptop.get(PRIVACY_URL).status_code == 200


@pytest.mark.django_db
def test_allauths_own_sessions_page_leads_to_my_privacy(alice):
    laptop = signed_in_client(alice, "Laptop/1.0")
    phone = signed_in_client(alice, "Phone/2.0")

    response = laptop.post(reverse("usersessions_list"))

    assert response.url == PRIVACY_URL
    assert phone.get(PRIVACY_URL).status_code == 200


@pytest.mark.django_db
def test_nobody_can_end_someone_elses_session(alice):
    bob = signed_in_client(UserFactory(email="bob@example.com"))
    signed_in_client(alice)
    alice_session = UserSession.objects.get(user=alice)

    response = bob.post(reverse("accounts:session_end", args=[alice_session.pk]))

    assert response.status_code == 404
    assert UserSession.objects.filter(pk=alice_session.pk).exists()


@pytest.mark.django_db
def test_ending_a_session_needs_a_post(alice):
    laptop = signed_in_client(alice)

    response = laptop.get(reverse("accounts:session_end", args=[UserSession.objects.get().pk]))

    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("sessions", [1, 6])
def test_query_count_does_not_grow_with_sessions(alice, django_assert_num_queries, sessions):
    laptop = signed_in_client(alice)
    for n in range(sessions - 1):
        signed_in_client(alice, f"Other/{n}")
    laptop.get(PRIVACY_URL)  # warm the partner-for-host cache

    # session, user, current elections, how many events in the history, verified
    # addresses, how many disclosures (no events and no disclosures: no page of either
    # to read), signed-in sessions, data exports
    with django_assert_num_queries(8):
        response = laptop.get(PRIVACY_URL)
    assert response.content.decode().count("<time datetime") >= sessions


def _age(record: UserSession, hours: float) -> None:
    UserSession.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


@pytest.mark.django_db
def test_sessions_that_are_over_go_with_their_browser_and_address(alice):
    signed_in_client(alice, "Expired/1.0")
    signed_in_client(alice, "Live/1.0")
    expired = UserSession.objects.get(user_agent="Expired/1.0")
    live = UserSession.objects.get(user_agent="Live/1.0")
    for record in (expired, live):
        _age(record, hours=3)
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert sessions_clear_ended() == 1

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == ["Live/1.0"]
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert sessions_clear_ended() == 0


@pytest.mark.django_db
def test_a_record_without_its_session_goes_once_it_is_an_hour_old(alice):
    signed_in_client(alice, "Gone/1.0")
    record = UserSession.objects.get()
    Session.objects.filter(session_key=record.session_key).delete()

    assert sessions_clear_ended() == 0  # Just written: its session may be on its way.
    _age(record, hours=1.1)
    assert sessions_clear_ended() == 1
    assert not UserSession.objects.exists()


@pytest.mark.django_db
def test_sessions_kept_in_a_cache_are_cleared_the_same_way(alice, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    signed_in_client(alice, "Cached/1.0")
    signed_in_client(alice, "Evicted/1.0")
    evicted = UserSession.objects.get(user_agent="Evicted/1.0")
    cache.delete(import_module(settings.SESSION_ENGINE).KEY_PREFIX + evicted.session_key)
    for record in UserSession.objects.all():
        _age(record, hours=2)

    assert sessions_clear_ended() == 1
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == ["Cached/1.0"]


def test_beat_clears_ended_sessions_every_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["sessions-clear-ended"]

    assert entry["task"] == accounts_tasks.sessions_clear_ended.name
    assert entry["schedule"] == 3600


NEW_PASSWORD = "a-new-long-passphrase-2"


@pytest.mark.django_db
def test_after_a_password_change_other_sessions_are_no_longer_listed_as_signed_in(alice):
    # "Do not recognise a session? Sign it out and change your password": the new
    # password signs the others out, and My privacy must not go on listing them.
    laptop = signed_in_client(alice, "Laptop/1.0")
    signed_in_client(alice, "Phone/2.0")

    laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    html = laptop.get(PRIVACY_URL).content.decode()
    assert "Phone/2.0" not in html
    assert "Sign out everywhere else" not in html
    assert html.count("<strong>This browser</strong>") == 1
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == ["Laptop/1.0"]


@pytest.mark.django_db
def test_after_a_password_reset_no_session_of_the_account_is_listed(alice):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    signed_in_client(alice, "Laptop/1.0")
    signed_in_client(alice, "Phone/2.0")
    alice.refresh_from_db()  # The reset key is made from the last sign-in.
    browser = Client()
    key_url = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(alice),
            "key": default_token_generator.make_token(alice),
        },
    )
    form_url = browser.get(key_url).url

    response = browser.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not UserSession.objects.filter(user=alice).exists()
