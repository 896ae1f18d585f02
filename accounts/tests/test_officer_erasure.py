"""A Privacy Officer carries out erasure requests sent by e-mail or post: a job
seeker's account only, never a staff account or a superuser's; the erasure is the one
"Delete my account" does, confirmed on a page saying what goes and what stays, and
recorded in the admin's history."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse

from accounts.models import AccountErasure, User
from accounts.personal_data_registry import ErasureBlocked
from accounts.roles import PRIVACY_OFFICER, SUPPORT
from accounts.services import account_erase_for_staff
from accounts.tests.factories import UserFactory
from resumes.tests.factories import staff_member


@pytest.fixture
def officer(client):
    user = staff_member(PRIVACY_OFFICER, email="officer@example.com")
    client.force_login(user)
    return user


@pytest.fixture
def seeker():
    return UserFactory(email="seeker@example.com")


def _delete_url(user):
    return reverse("admin:accounts_user_delete", args=[user.pk])


def _change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


ACCOUNTS_NOT_A_JOB_SEEKERS = {
    "a staff account": lambda: UserFactory(is_staff=True),
    "a superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    # A superuser not marked staff is refused as well: either flag protects it.
    "a superuser not marked staff": lambda: UserFactory(is_superuser=True),
}


@pytest.mark.django_db
def test_a_privacy_officer_erases_a_job_seekers_account_and_it_is_recorded(client, officer, seeker):
    seeker_id = seeker.pk
    change_page = client.get(_change_url(seeker)).content.decode()
    confirmation = client.get(_delete_url(seeker))

    response = client.post(_delete_url(seeker), {"post": "yes"})

    assert _delete_url(seeker) in change_page
    html = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "seeker@example.com" in html
    assert "<h2>Erased</h2>" in html and "<h2>Kept</h2>" in html
    assert "Orders, for accounting" in html
    assert response.status_code == 302
    assert not User.objects.filter(pk=seeker_id).exists()
    assert AccountErasure.objects.get().former_user_id == seeker_id
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (officer, DELETION, str(seeker_id))
    assert entry.object_repr == f"erased account #{seeker_id}"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ACCOUNTS_NOT_A_JOB_SEEKERS)
def test_a_privacy_officer_is_refused_a_staff_account_or_a_superusers(client, officer, target):
    account = ACCOUNTS_NOT_A_JOB_SEEKERS[target]()

    change_page = client.get(_change_url(account)).content.decode()
    page = client.get(_delete_url(account), follow=True)
    response = client.post(_delete_url(account), {"post": "yes"}, follow=True)

    assert change_page.count(_delete_url(account)) == 0
    assert page.redirect_chain == [(_change_url(account), 302)]
    html = response.content.decode()
    assert response.redirect_chain == [(_change_url(account), 302)]
    assert "only a superuser can erase it" in html
    assert User.objects.filter(pk=account.pk).exists()
    assert not AccountErasure.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_a_privacy_officer_is_not_offered_bulk_erasure_nor_can_send_it(client, officer, seeker):
    colleague = UserFactory(is_staff=True)
    url = reverse("admin:accounts_user_changelist")
    data = {
        "action": "delete_selected",
        "_selected_action": [seeker.pk, colleague.pk],
        "post": "yes",
    }

    changelist = client.get(url).content.decode()
    response = client.post(url, data, follow=True)

    assert 'value="delete_selected"' not in changelist
    assert response.status_code == 200
    assert User.objects.filter(pk__in=[seeker.pk, colleague.pk]).count() == 2
    assert not AccountErasure.objects.exists()


@pytest.mark.django_db
def test_a_former_staff_members_work_on_record_still_blocks_the_privacy_officer(client, officer):
    from django.contrib.admin.models import CHANGE

    former = UserFactory(is_staff=False, email="former.staff@example.com")
    LogEntry.objects.log_actions(
        user_id=former.pk, queryset=[UserFactory()], action_flag=CHANGE, change_message="Renamed"
    )

    response = client.post(_delete_url(former), {"post": "yes"}, follow=True)

    assert "deactivates it instead" in response.content.decode()
    assert User.objects.filter(pk=former.pk).exists()
    assert not AccountErasure.objects.exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


@pytest.mark.django_db
def test_support_cannot_erase_an_account(client, seeker):
    client.force_login(staff_member(SUPPORT))

    change_page = client.get(_change_url(seeker)).content.decode()
    response = client.post(_delete_url(seeker), {"post": "yes"})

    assert _delete_url(seeker) not in change_page
    assert response.status_code == 403
    assert User.objects.filter(pk=seeker.pk).exists()
    assert not AccountErasure.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["a staff account", "a superuser"])
def test_a_superuser_still_erases_a_staff_account_or_a_superusers(client, target):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    account = ACCOUNTS_NOT_A_JOB_SEEKERS[target]()

    confirmation = client.get(_delete_url(account))
    response = client.post(_delete_url(account), {"post": "yes"})

    assert "<h2>Kept</h2>" in confirmation.content.decode()
    assert response.status_code == 302
    assert not User.objects.filter(pk=account.pk).exists()
    assert AccountErasure.objects.get().former_user_id == account.pk
    assert LogEntry.objects.get(action_flag=DELETION).user == superuser


@pytest.mark.django_db
def test_the_service_itself_refuses_a_staff_account_to_a_privacy_officer():
    officer = staff_member(PRIVACY_OFFICER)
    colleague = UserFactory(is_staff=True)

    with pytest.raises(ErasureBlocked, match="only a superuser can erase it"):
        account_erase_for_staff(user=colleague, staff=officer)

    assert User.objects.filter(pk=colleague.pk).exists()
