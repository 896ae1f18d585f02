"""Delete my account: re-authentication and confirmation first; then every app's
personal data is erased, the address stays suppressed, the erasure is recorded and the
person is signed out everywhere."""

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AccountErasure, DataExport, Profile, User
from accounts.personal_data_registry import PersonalDataModule, personal_data_modules
from accounts.roles import PRIVACY_OFFICER, RESUME_WRITER
from accounts.services import account_erase, data_export_build, data_export_request
from accounts.tests.factories import PASSWORD, UserFactory
from consent.models import ConsentEvent, Subject, email_digest
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant
from contests.models import ContestEntry
from contests.tests.factories import ContestEntryFactory
from feedback.models import Feedback
from feedback.tests.factories import FeedbackFactory
from privacy.cookies import CHOICES_COOKIE, REMEMBERED_EMAIL_COOKIE

URL = reverse("accounts:delete")
REAUTH_URL = reverse("account_reauthenticate")


def sign_in(client, user) -> None:
    """Through allauth's login view, so that the session is tracked like a real one."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


def reauthenticate(client) -> None:
    response = client.post(REAUTH_URL, {"password": PASSWORD})
    assert response.status_code == 302, response.content


@pytest.fixture
def alice(client):
    user = UserFactory(email="alice@example.com", name="Alice Example")
    sign_in(client, user)
    return user


def delete(client, user) -> object:
    reauthenticate(client)
    return client.post(URL, {"confirm_email": user.email})


@pytest.mark.django_db
def test_deleting_asks_for_the_password_again_first(client, alice):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(REAUTH_URL)


@pytest.mark.django_db
def test_a_delete_posted_without_reauthentication_erases_nothing(client, alice):
    response = client.post(URL, {"confirm_email": alice.email})

    assert response.url.startswith(REAUTH_URL)
    assert User.objects.filter(pk=alice.pk).exists()


@pytest.mark.django_db
def test_after_reauthentication_the_page_says_what_is_erased_and_kept(client, alice):
    reauthenticate(client)

    html = client.get(URL).content.decode()

    assert "What we erase" in html
    assert "What we keep" in html
    assert "Type your e-mail address to confirm" in html


@pytest.mark.django_db
def test_a_wrong_confirmation_erases_nothing(client, alice):
    reauthenticate(client)

    response = client.post(URL, {"confirm_email": "someone.else@example.com"})

    assert response.status_code == 200
    assert "That is not the address of this account." in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()


@pytest.mark.django_db
def test_deleting_erases_the_account_and_signs_the_person_out(client, alice):
    response = delete(client, alice)

    assert response.url == reverse("accounts:deleted")
    assert not User.objects.filter(pk=alice.pk).exists()
    assert EmailAddress.objects.filter(email="alice@example.com").count() == 0
    page = client.get(reverse("accounts:privacy"))
    assert page.status_code == 302
    assert "Your account is deleted" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_every_other_session_is_signed_out_too(client, alice):
    phone = Client()
    sign_in(phone, alice)
    assert UserSession.objects.filter(user=alice).count() == 2

    delete(client, alice)

    assert phone.get(reverse("accounts:privacy")).status_code == 302
    assert UserSession.objects.count() == 0


@pytest.mark.django_db
def test_personal_data_in_every_app_is_erased(client, alice, django_capture_on_commit_callbacks):
    Profile.objects.create(user=alice, interests="Logistics")
    export = data_export_request(user=alice)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()
    story = FeedbackFactory(
        user=alice,
        name="Alice",
        email="alice@example.com",
        publish=True,
        display_name="A",
        status=Feedback.Status.APPROVED,
        body="Great service.",
    )
    guest_feedback = FeedbackFactory(email="Alice@Example.com", name="Alice")
    ContestEntryFactory(email="alice@example.com")
    someone_else = ContestEntryFactory(email="bob@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        delete(client, alice)

    assert Profile.objects.count() == 0
    assert DataExport.objects.count() == 0
    assert not storages["data_exports"].exists(export.file_name)
    story.refresh_from_db()
    assert (story.user, story.name, story.email, story.display_name) == (None, "", "", "")
    assert not story.is_published
    assert story.body == "Great service."
    guest_feedback.refresh_from_db()
    assert (guest_feedback.name, guest_feedback.email) == ("", "")
    assert list(ContestEntry.objects.all()) == [someone_else]


@pytest.mark.django_db
def test_the_address_stays_suppressed_by_its_digest(client, alice):
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_grant(user=alice, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)

    delete(client, alice)

    subject = Subject.objects.get()
    assert subject.email is None
    assert subject.user is None
    assert subject.email_digest == email_digest("alice@example.com")
    assert {(e.purpose, e.granted) for e in subject.elections.all()} == {
        ("marketing", False),
        ("site_updates", False),
    }
    newest = ConsentEvent.objects.filter(subject=subject)[:2]
    assert {e.source for e in newest} == {Source.ACCOUNT_DELETION}
    assert ConsentEvent.objects.filter(subject=subject).count() == 4
    assert not consent_is_granted(email="alice@example.com", purpose=Purpose.MARKETING)
    assert not consent_is_granted(email="alice@example.com", purpose=Purpose.SITE_UPDATES)


@pytest.mark.django_db
def test_an_address_that_never_opted_in_is_suppressed_as_well(client, alice):
    delete(client, alice)

    subject = Subject.objects.get(email_digest=email_digest("alice@example.com"))
    assert subject.elections.filter(granted=False).count() == 2


@pytest.mark.django_db
def test_the_erasure_is_recorded_without_the_address(client, alice):
    former_id = alice.pk

    delete(client, alice)

    erasure = AccountErasure.objects.get()
    assert erasure.former_user_id == former_id
    assert erasure.email_digest == email_digest("alice@example.com")
    assert {"accounts", "consent", "feedback", "contests"} <= set(erasure.apps)
    assert "alice" not in str(erasure.__dict__)


@pytest.mark.django_db
def test_the_privacy_officer_can_read_erasures_but_nobody_can_change_them(client, alice):
    account_erase(user=UserFactory(email="gone@example.com"))
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(officer)
    erasure = AccountErasure.objects.get()

    listing = client.get(reverse("admin:accounts_accounterasure_changelist"))
    change = client.post(reverse("admin:accounts_accounterasure_change", args=[erasure.pk]), {})

    assert listing.status_code == 200
    assert change.status_code == 403
    with pytest.raises(TypeError):
        erasure.delete()


@pytest.mark.django_db
def test_a_failure_in_any_app_erases_nothing(alice, monkeypatch):
    def broken(user):
        raise RuntimeError("cannot erase")

    Profile.objects.create(user=alice, interests="Logistics")
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    modules = [
        *personal_data_modules(),
        PersonalDataModule(
            app=apps.get_app_config("orders"),
            module=type("Broken", (), {"export": None, "erase": staticmethod(broken)}),
        ),
    ]
    monkeypatch.setattr(services, "personal_data_modules", lambda: modules)

    with pytest.raises(RuntimeError):
        account_erase(user=alice)

    assert User.objects.filter(pk=alice.pk).exists()
    assert Profile.objects.filter(user=alice).exists()
    assert Subject.objects.get(user=alice).email == "alice@example.com"
    assert consent_is_granted(user=alice, purpose=Purpose.MARKETING)
    assert AccountErasure.objects.count() == 0


@pytest.mark.django_db
def test_staff_accounts_are_not_deleted_from_my_privacy(client):
    staff = UserFactory(is_staff=True)
    sign_in(client, staff)

    reauthenticate(client)
    response = client.post(URL, {"confirm_email": staff.email})

    assert response.status_code == 200
    assert "Staff accounts are closed by an administrator" in response.content.decode()
    assert User.objects.filter(pk=staff.pk).exists()


@pytest.mark.django_db
def test_my_privacy_links_to_deletion(client, alice):
    html = client.get(reverse("accounts:privacy")).content.decode()

    assert f'href="{URL}"' in html


@pytest.mark.django_db
def test_deleting_the_account_forgets_the_address_remembered_for_the_sign_in_form(client):
    client.cookies[CHOICES_COOKIE] = "necessary:preferences"
    user = UserFactory(email="alice@example.com")
    sign_in(client, user)
    assert client.cookies[REMEMBERED_EMAIL_COOKIE].value == "alice@example.com"

    response = delete(client, user)

    assert response.url == reverse("accounts:deleted")
    assert response.cookies[REMEMBERED_EMAIL_COOKIE]["max-age"] == 0
    assert "alice@example.com" not in client.get(reverse("account_login")).content.decode()


@pytest.mark.django_db
def test_a_former_staff_member_in_the_staff_access_log_is_told_why_their_account_stays(client):
    from privacy.models import StaffAccess
    from privacy.services import staff_access_record

    former = UserFactory(email="former.support@example.com")  # No longer is_staff.
    staff_access_record(staff=former, obj=UserFactory(), action="viewed")
    sign_in(client, former)

    response = delete(client, former)

    assert response.status_code == 200
    assert "deactivates it instead" in response.content.decode()
    assert User.objects.filter(pk=former.pk).exists()
    assert StaffAccess.objects.filter(staff=former).exists()
    assert not AccountErasure.objects.exists()


def _moderated_feedback(user):
    FeedbackFactory(status=Feedback.Status.APPROVED, moderated_by=user)


def _published_a_policy(user):
    from privacy.models import PolicyVersion

    assert PolicyVersion.objects.update(published_by=user)


def _created_a_campaign(user):
    from mail.models import Campaign

    Campaign.objects.create(kind="marketing", subject="News", body_markdown="Hi", created_by=user)


def _assigned_resume_work(user):
    from resumes.tests.factories import workspace_open

    workspace_open(writer=user)


def _wrote_drafts_for_work_since_reassigned(user):
    from resumes.models import ResumeWorkspace
    from resumes.tests.factories import workspace_with_draft

    workspace = workspace_with_draft(writer=user)
    ResumeWorkspace.objects.filter(pk=workspace.pk).update(writer=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("work", "named"),
    [
        (_moderated_feedback, "feedback it moderated"),
        (_published_a_policy, "policy versions it published"),
        (_created_a_campaign, "campaigns it created"),
        (_assigned_resume_work, "resume work assigned to it"),
        (_wrote_drafts_for_work_since_reassigned, "resume drafts it wrote"),
    ],
)
def test_a_former_staff_members_work_keeps_their_account(work, named):
    """Deleting it would blank who did that work (or leave the work with no writer)."""
    from accounts.personal_data_registry import ErasureBlocked
    from resumes.tests.factories import staff_member

    former = staff_member(RESUME_WRITER)
    work(former)
    former.is_staff = False
    former.save(update_fields=["is_staff"])

    with pytest.raises(ErasureBlocked, match=f"staff work \\({named}\\)"):
        account_erase(user=former)
    assert User.objects.filter(pk=former.pk).exists()
    assert not AccountErasure.objects.exists()
