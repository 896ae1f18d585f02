"""Policy documents (P16, P17, P9): current version, archive, diffs, publishing."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from consent.purposes import Purpose, Source
from consent.services import consent_grant, consent_withdraw_for_address
from privacy.models import PolicyVersion, ServiceProvider
from privacy.rendering import policy_html
from privacy.selectors import policy_version_current, policy_version_in_force
from privacy.services import PolicyPublishError, policy_version_publish

PRIVACY = PolicyVersion.Document.PRIVACY_POLICY
SAFE = PolicyVersion.Document.SAFE_AND_SECURE
# The number after the privacy policy's versions the migrations add: 1 and 2
# published, 3 a draft waiting for the Privacy Officer (0007).
NEXT = 4


def draft(document=PRIVACY, version=NEXT, days_from_now=0, **fields) -> PolicyVersion:
    return PolicyVersion.objects.create(
        document=document,
        version=version,
        effective_date=timezone.localdate() + timedelta(days=days_from_now),
        summary=fields.pop("summary", "Clearer wording about cookies."),
        body=fields.pop("body", "# Privacy policy\n\nA new text."),
        **fields,
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
def test_privacy_page_shows_version_2_in_force(client):
    html = text_of(client.get(reverse("privacy:policy")))

    assert "Version 2, in effect since 29 November 2026." in html
    assert "<h1>Privacy policy</h1>" in html
    assert f'href="{reverse("privacy:archive", args=[PRIVACY])}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("promise", "words"),
    [
        ("P1", "Visitors: counts, never people"),
        ("P2", "Partners see totals only"),
        ("P3", "When we ask for your details"),
        ("P4", "E-mail from us only if you say yes"),
        ("P5", 'with the word "remove" in the subject line'),
        ("P6", "Questions about you are optional"),
        ("P7", "Who else ever sees your information"),
        ("P8", "Co-branded pages"),
        ("P9", "Companies that work for us"),
        ("P10", "Your resume is private"),
        ("P11", "Your assessment results are private"),
        ("P12", "Paying by card"),
        ("P13", "Cookies, and your choice"),
        ("P14", "Feedback and success stories"),
        ("P15", "Children"),
        ("P16", "Changes to this policy"),
        ("P17", "Contact us"),
    ],
)
def test_current_policy_covers_every_promise(client, promise, words):
    html = text_of(client.get(reverse("privacy:policy")))

    assert words in html, promise


@pytest.mark.django_db
def test_policy_text_shows_the_contact_details_and_age_from_settings(client, settings):
    settings.CONTACT_EMAIL = "privacy_team@example.org"
    settings.CONTACT_PHONE = "+1 555 0199"
    settings.MINIMUM_AGE = 16

    html = text_of(client.get(reverse("privacy:policy")))
    body = html.split('class="policy"', 1)[1].split("<h2>Contact</h2>", 1)[0]

    # In the text itself (not only the footer), and the underscore not read as Markdown.
    assert "e-mail privacy_team@example.org or call +1 555 0199" in body
    assert "at least 16 years old" in body
    assert "{{" not in body


def test_a_contact_address_written_as_a_markdown_link_is_the_address_from_settings(settings):
    settings.CONTACT_EMAIL = "privacy_team+web@example.org"

    html = policy_html("Write to <{{ contact_email }}> or [us](mailto:{{contact_email}}).")

    assert html.count('href="mailto:privacy_team+web@example.org"') == 2
    assert ">privacy_team+web@example.org</a>" in html


@pytest.mark.django_db
def test_safe_and_secure_page_shows_its_own_current_version(client, settings):
    settings.CONTACT_PHONE = "+1 555 0123"

    html = text_of(client.get(reverse("privacy:safe_and_secure")))

    assert "<h1>Safe and secure ordering</h1>" in html
    assert "Version 1, in effect since" in html
    assert "+1 555 0123" in html
    assert "Companies that work for us" not in html


@pytest.mark.django_db
def test_archive_lists_every_published_version_with_summaries_but_no_drafts(client):
    draft(summary="A draft nobody may see yet.")

    html = text_of(client.get(reverse("privacy:archive", args=[PRIVACY])))

    assert "Version 2" in html
    assert "Version 1" in html
    assert "First version." in html
    assert "Rewritten in full" in html
    assert "A draft nobody may see yet." not in html
    assert f'href="{reverse("privacy:changes", args=[PRIVACY, 2])}"' in html


@pytest.mark.django_db
def test_archive_marks_an_upcoming_version(client):
    policy_version_publish(version=draft(days_from_now=30))

    html = text_of(client.get(reverse("privacy:archive", args=[PRIVACY])))

    assert re.search(rf"Version {NEXT}</a> <span class=\"badge\">upcoming</span>", html)
    assert re.search(r"Version 2</a> <span class=\"badge\">current</span>", html)


@pytest.mark.django_db
def test_an_old_version_stays_readable_and_says_it_is_not_current(client):
    html = text_of(client.get(reverse("privacy:version", args=[PRIVACY, 1])))

    assert "Version 1, in effect from 1 January 2026." in html
    assert "This is not the current version." in html
    assert "We count visits only in aggregate" in html


@pytest.mark.django_db
def test_a_draft_or_unknown_version_is_not_found(client):
    draft()

    assert client.get(reverse("privacy:version", args=[PRIVACY, NEXT])).status_code == 404
    assert client.get(reverse("privacy:changes", args=[PRIVACY, NEXT])).status_code == 404
    assert client.get(reverse("privacy:version", args=[SAFE, 9])).status_code == 404


@pytest.mark.django_db
def test_changes_page_shows_removed_and_added_paragraphs_of_version_2(client):
    html = text_of(client.get(reverse("privacy:changes", args=[PRIVACY, 2])))

    assert "Compared with version 1" in html
    assert "Rewritten in full" in html
    assert "<del>What we ask and when</del>" in html
    assert "<ins>1. Visitors: counts, never people</ins>" in html


@pytest.mark.django_db
def test_changes_page_shows_the_words_changed_in_a_paragraph(client):
    v2 = PolicyVersion.objects.get(document=PRIVACY, version=2)
    policy_version_publish(
        version=draft(body=v2.body.replace("We answer every message.", "We answer within a week."))
    )

    html = text_of(client.get(reverse("privacy:changes", args=[PRIVACY, NEXT])))

    assert "We answer <del>every message.</del> <ins>within a week.</ins>" in html
    assert "paragraphs unchanged</summary>" in html


@pytest.mark.django_db
def test_changes_page_shows_the_contact_details_as_written_not_escaped_for_markdown(
    client, settings
):
    settings.CONTACT_EMAIL = "privacy_team@example.org"
    settings.CONTACT_PHONE = "+1 (555) 0199"
    v2 = PolicyVersion.objects.get(document=PRIVACY, version=2)
    policy_version_publish(
        version=draft(body=v2.body.replace("We answer every message.", "We answer within a week."))
    )

    html = text_of(client.get(reverse("privacy:changes", args=[PRIVACY, NEXT])))

    assert "e-mail privacy_team@example.org or call +1 (555) 0199. We answer <del>" in html
    assert "\\" not in html.split('class="diff"', 1)[1]


@pytest.mark.django_db
def test_changes_page_says_whether_the_version_took_effect_or_takes_effect(client):
    upcoming = draft(days_from_now=10)
    policy_version_publish(version=upcoming)

    past = text_of(client.get(reverse("privacy:changes", args=[PRIVACY, 2])))
    future = text_of(client.get(reverse("privacy:changes", args=[PRIVACY, NEXT])))

    assert "Version 2 took effect on 29 November 2026." in past
    assert f"Version {NEXT} takes effect on {upcoming.effective_date:%-d %B %Y}." in future


@pytest.mark.django_db
def test_changes_page_of_a_first_version_says_there_is_nothing_to_compare(client):
    html = text_of(client.get(reverse("privacy:changes", args=[SAFE, 1])))

    assert "This is the first version" in html


@pytest.mark.django_db
def test_policy_markdown_is_sanitised(client):
    version = draft(
        body='# Privacy policy\n\n<script>alert("x")</script>\n\n[link](javascript:alert(1))'
        '\n\n<img src="x" onerror="alert(1)">'
    )
    policy_version_publish(version=version)

    html = client.get(reverse("privacy:policy")).content.decode()

    assert "<script>alert" not in html
    assert "javascript:alert" not in html
    assert "onerror" not in html


@pytest.mark.django_db
def test_publishing_makes_a_draft_current_from_its_effective_date(client, privacy_officer):
    version = draft(body="# Privacy policy\n\nVersion three words.")

    published = policy_version_publish(version=version, published_by=privacy_officer)

    assert published.published_at is not None
    assert published.published_by == privacy_officer
    assert policy_version_current() == published
    assert "Version three words." in client.get(reverse("privacy:policy")).content.decode()


@pytest.mark.django_db
def test_a_version_taking_effect_later_does_not_replace_the_current_one_yet(client):
    policy_version_publish(version=draft(days_from_now=10, body="# P\n\nFuture words."))

    assert policy_version_current().version == 2
    assert "Future words." not in client.get(reverse("privacy:policy")).content.decode()


@pytest.mark.django_db
def test_consent_events_record_the_version_in_force_when_they_happen(alice):
    before = consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    policy_version_publish(version=draft(days_from_now=0))
    after = consent_grant(user=alice, purpose=Purpose.SITE_UPDATES, source=Source.PREFERENCES)
    back_then = consent_grant(
        user=alice,
        purpose=Purpose.RESUME_DISCLOSURE,
        source=Source.PREFERENCES,
        occurred_at=timezone.now().replace(year=2026, month=6, day=1),
    )

    assert before.policy_version.version == 2
    assert after.policy_version.version == NEXT
    assert back_then.policy_version.version == 1


@pytest.mark.django_db
def test_an_event_recorded_late_names_the_version_posted_when_it_happened(alice):
    # A "remove" e-mail received just before a version taking effect today was
    # published, and processed only after it (the mailbox was out of reach).
    received = timezone.now() - timedelta(microseconds=1)
    policy_version_publish(version=draft(days_from_now=0))

    event = consent_withdraw_for_address(
        email="alice@example.com",
        purposes=[Purpose.MARKETING],
        source=Source.EMAIL,
        occurred_at=received,
    )[0].event

    assert event.policy_version.version == 2
    assert policy_version_in_force(at=timezone.now()).version == NEXT


@pytest.mark.django_db
def test_publishing_refuses_a_version_that_would_take_effect_before_it_is_posted(alice):
    event = consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    backdated = draft(days_from_now=-1)

    with pytest.raises(PolicyPublishError, match="before the day it is published"):
        policy_version_publish(version=backdated)

    backdated.refresh_from_db()
    assert backdated.published_at is None
    assert policy_version_in_force(at=event.occurred_at) == event.policy_version


@pytest.mark.django_db
def test_publishing_refuses_a_number_below_a_published_one():
    skipped = draft(version=NEXT)
    policy_version_publish(version=draft(version=NEXT + 1))

    with pytest.raises(PolicyPublishError, match=f"higher number than the published v{NEXT + 1}"):
        policy_version_publish(version=skipped)

    skipped.refresh_from_db()
    assert skipped.published_at is None


@pytest.mark.django_db
def test_publishing_refuses_a_version_taking_effect_before_the_previous_one():
    early = draft(days_from_now=-400)

    with pytest.raises(PolicyPublishError, match="cannot take effect before v2"):
        policy_version_publish(version=early)


@pytest.mark.django_db
def test_publishing_refuses_a_version_without_a_summary_of_changes():
    with pytest.raises(PolicyPublishError, match="needs a text and a summary"):
        policy_version_publish(version=draft(summary=" "))


@pytest.mark.django_db
def test_a_version_is_published_only_once():
    version = draft()
    policy_version_publish(version=version)

    with pytest.raises(PolicyPublishError, match="published already"):
        policy_version_publish(version=version)


@pytest.mark.django_db
def test_a_version_deleted_meanwhile_is_refused_with_a_reason():
    version = draft()
    PolicyVersion.objects.filter(pk=version.pk).delete()

    with pytest.raises(PolicyPublishError, match="deleted meanwhile"):
        policy_version_publish(version=version)


# --- Admin -------------------------------------------------------------------------


@pytest.mark.django_db
def test_privacy_officer_writes_a_draft_with_the_next_number_and_a_preview(client, privacy_officer):
    client.force_login(privacy_officer)
    add_url = reverse("admin:privacy_policyversion_add")

    form = client.get(add_url).content.decode()
    assert re.search(rf'name="version"[^>]*value="{NEXT}"', form)

    response = client.post(
        add_url,
        {
            "document": PRIVACY,
            "version": NEXT,
            "effective_date": timezone.localdate().isoformat(),
            "summary": "Shorter.",
            "body": "# Privacy policy\n\nWrite to {{ contact_email }} *today*.",
        },
    )
    assert response.status_code == 302
    version = PolicyVersion.objects.get(document=PRIVACY, version=NEXT)
    assert version.published_at is None

    change = client.get(reverse("admin:privacy_policyversion_change", args=[version.pk]))
    assert "<em>today</em>" in change.content.decode()


def publish(client, version, url=None, **data):
    return client.post(
        url or reverse("admin:privacy_policyversion_changelist"),
        {"action": "publish", "index": 0, "_selected_action": [version.pk], **data},
        follow=True,
    )


@pytest.mark.django_db
def test_privacy_officer_publishes_with_the_admin_action(client, privacy_officer):
    version = draft()
    client.force_login(privacy_officer)

    response = publish(client, version, apply="1")

    version.refresh_from_db()
    assert version.published_by == privacy_officer
    assert f"Privacy policy v{NEXT} is published." in response.content.decode()


@pytest.mark.django_db
def test_publishing_first_shows_what_changes_and_who_is_told_and_publishes_nothing(
    client, privacy_officer
):
    from accounts.tests.factories import UserFactory

    for email in ("one@example.com", "two@example.com"):
        user = UserFactory(email=email)
        consent_grant(user=user, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    version = draft(body=f"{PolicyVersion.objects.get(document=PRIVACY, version=2).body}\n\nNew.")
    client.force_login(privacy_officer)

    page = text_of(publish(client, version))

    version.refresh_from_db()
    assert version.published_at is None
    assert f"Privacy policy v{NEXT}" in page
    assert "Compared with version 2" in page
    assert "<ins>New.</ins>" in page
    assert "2 people who allowed site-change e-mail are sent a notice" in page


@pytest.mark.django_db
def test_publishing_from_the_change_form_asks_first_too(client, privacy_officer):
    version = draft()
    client.force_login(privacy_officer)
    url = reverse("admin:privacy_policyversion_change", args=[version.pk])

    def from_form(**data):
        return client.post(
            url,
            {"CHANGE_FORM-action": "publish", "_selected_action": [version.pk], **data},
            follow=True,
        )

    asked = text_of(from_form())
    version.refresh_from_db()
    assert version.published_at is None
    assert "Publish these versions" in asked

    done = text_of(from_form(apply="1"))
    version.refresh_from_db()
    assert version.published_at is not None
    assert f"Privacy policy v{NEXT} is published." in done


@pytest.mark.django_db
def test_staff_without_the_publish_permission_cannot_publish(client, support):
    version = draft()
    support.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_policyversion", "change_policyversion"])
    )
    client.force_login(support)

    client.post(
        reverse("admin:privacy_policyversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
    )

    version.refresh_from_db()
    assert version.published_at is None


@pytest.mark.django_db
def test_a_published_version_cannot_be_edited_or_deleted_in_admin(client, django_user_model):
    owner = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    published = PolicyVersion.objects.get(document=PRIVACY, version=2)
    client.force_login(owner)

    client.post(
        reverse("admin:privacy_policyversion_change", args=[published.pk]),
        {
            "document": PRIVACY,
            "version": 2,
            "effective_date": "2026-11-29",
            "summary": "x",
            "body": "x",
        },
    )
    delete = client.post(
        reverse("admin:privacy_policyversion_delete", args=[published.pk]), {"post": "yes"}
    )

    published.refresh_from_db()
    assert published.body.startswith("# Privacy policy")
    assert delete.status_code == 403
    assert PolicyVersion.objects.filter(pk=published.pk).exists()


# --- Service providers (P9) ------------------------------------------------------------


@pytest.mark.django_db
def test_listed_service_providers_are_shown_on_the_policy(client):
    ServiceProvider.objects.create(
        name="Parcel Payments", function="payments", data_categories="name, card brand"
    )
    ServiceProvider.objects.create(
        name="Old Mailer", function="email", data_categories="e-mail address", listed=False
    )

    html = text_of(client.get(reverse("privacy:policy")))

    assert "<td>Parcel Payments</td><td>Payments</td><td>name, card brand</td>" in html
    assert "Old Mailer" not in html


@pytest.mark.django_db
def test_privacy_officer_maintains_the_provider_list_in_admin(client, privacy_officer):
    client.force_login(privacy_officer)

    response = client.post(
        reverse("admin:privacy_serviceprovider_add"),
        {
            "name": "Help Desk Co",
            "function": "customer-service",
            "data_categories": "name, e-mail address, your messages",
            "listed": "on",
        },
    )

    assert response.status_code == 302
    assert "Help Desk Co" in client.get(reverse("privacy:policy")).content.decode()


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("providers", [1, 20])
def test_policy_page_query_count_does_not_grow_with_providers(
    client, django_assert_num_queries, providers
):
    for n in range(providers):
        ServiceProvider.objects.create(name=f"P{n}", function="hosting", data_categories="all")

    # partner for the host (first request), current version, providers
    with django_assert_num_queries(3):
        assert client.get(reverse("privacy:policy")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("versions", [0, 10])
def test_archive_query_count_does_not_grow_with_versions(
    client, django_assert_num_queries, versions
):
    for n in range(versions):
        policy_version_publish(version=draft(version=NEXT + n))

    # partner for the host (first request), current version, published versions
    with django_assert_num_queries(3):
        assert client.get(reverse("privacy:archive", args=[PRIVACY])).status_code == 200


@pytest.mark.django_db
def test_version_and_changes_pages_query_counts(client, django_assert_num_queries):
    # partner for the host (first request), the version, the current version
    with django_assert_num_queries(3):
        client.get(reverse("privacy:version", args=[PRIVACY, 1]))
    # the version, the previous version (partner for the host cached now)
    with django_assert_num_queries(2):
        client.get(reverse("privacy:changes", args=[PRIVACY, 2]))


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 20])
def test_admin_changelists_query_counts(client, privacy_officer, django_assert_num_queries, extra):
    for n in range(extra):
        draft(version=NEXT + n)
        ServiceProvider.objects.create(name=f"P{n}", function="hosting", data_categories="all")
    client.force_login(privacy_officer)
    versions = reverse("admin:privacy_policyversion_changelist")
    providers = reverse("admin:privacy_serviceprovider_changelist")
    client.get(versions)

    # session, user, user's own and group permissions, count, count of all, the page
    with django_assert_num_queries(7):
        assert client.get(versions).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(providers).status_code == 200


@pytest.mark.django_db
def test_publishing_mails_a_change_notice_to_those_who_allowed_site_updates_only(
    django_capture_on_commit_callbacks, mailoutbox
):
    from accounts.tests.factories import UserFactory
    from consent.services import consent_withdraw

    wants_news = UserFactory(email="news@example.com")
    marketing_only = UserFactory(email="offers@example.com")
    changed_mind = UserFactory(email="stopped@example.com")
    consent_grant(user=wants_news, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    consent_grant(user=marketing_only, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_grant(user=changed_mind, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    consent_withdraw(user=changed_mind, purpose=Purpose.SITE_UPDATES, source=Source.EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        policy_version_publish(version=draft(days_from_now=14, summary="Contests explained."))

    assert [message.to for message in mailoutbox] == [["news@example.com"]]
    notice = mailoutbox[0]
    assert "Contests explained." in notice.body
    assert f"/privacy/versions/{NEXT}/changes/" in notice.body
    assert "List-Unsubscribe" in notice.extra_headers


@pytest.mark.django_db
def test_the_notice_of_the_safe_and_secure_page_names_it_as_a_page(
    django_capture_on_commit_callbacks, mailoutbox
):
    from accounts.tests.factories import UserFactory

    reader = UserFactory(email="news@example.com")
    consent_grant(user=reader, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    version = draft(document=SAFE, version=2, days_from_now=3)

    with django_capture_on_commit_callbacks(execute=True):
        policy_version_publish(version=version)

    effective = f"{version.effective_date:%-d %B %Y}"
    assert mailoutbox[0].subject == f"Our “Safe and secure ordering” page changes on {effective}"
    assert "a new version of our “Safe and secure ordering” page (version 2)" in mailoutbox[0].body


@pytest.mark.django_db
def test_a_refused_publication_sends_no_notice():
    from mail.models import Campaign

    policy_version_publish(version=draft(version=NEXT + 1))

    with pytest.raises(PolicyPublishError):
        policy_version_publish(version=draft(version=NEXT))

    assert Campaign.objects.count() == 1


@pytest.mark.django_db
def test_version_3_waits_as_a_draft_and_says_what_version_2_left_unsaid(client):
    v2 = PolicyVersion.objects.get(document=PRIVACY, version=2)
    v3 = PolicyVersion.objects.get(document=PRIVACY, version=3)

    assert v3.published_at is None
    assert policy_version_current() == v2
    assert "Only you see your career assessment results." in v2.body
    assert "Only you see your career assessment results." not in v3.body
    assert re.search(r"only our Privacy\s+Officer can open them", v3.body)
    assert re.search(r"nothing more\s+follows unless the owner says yes", v3.body)


@pytest.mark.django_db
def test_the_demo_publishes_version_3_and_tells_those_who_asked_for_site_updates():
    from django.core.management import call_command

    from mail.models import Campaign

    call_command("seed_demo")
    call_command("seed_demo")

    current = policy_version_current()
    assert (current.version, current.effective_date) == (3, timezone.localdate())
    assert Campaign.objects.filter(kind=Campaign.Kind.SITE_UPDATES).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_versions_published_at_once_are_checked_against_each_other():
    import threading

    from django.db import connection, transaction

    from careerperfect.tests.row_locks import wait_for_a_blocked_lock

    later = draft(version=NEXT, days_from_now=10)
    earlier_but_newer = draft(version=NEXT + 1, days_from_now=5)
    errors = []

    def publish_the_other():
        try:
            policy_version_publish(version=earlier_but_newer)
        except Exception as error:  # Reported below, from the test's own thread.
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=publish_the_other)
    with transaction.atomic():
        policy_version_publish(version=later)
        other.start()
        wait_for_a_blocked_lock()
    other.join(timeout=30)

    assert not other.is_alive()
    assert [type(error) for error in errors] == [PolicyPublishError]
    earlier_but_newer.refresh_from_db()
    assert earlier_but_newer.published_at is None
