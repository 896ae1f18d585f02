"""The accounts admin pages this issue adds: answers without identities for
Marketing, erasure records for the Privacy Officer; both read-only."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import AccountErasure, Profile, User
from accounts.roles import MARKETING, PRIVACY_OFFICER, RESUME_WRITER, SUPPORT
from accounts.services import account_erase
from accounts.tests.factories import UserFactory


def staff(client, role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_marketing_reads_the_answers_without_who_gave_them(client):
    Profile.objects.create(user=UserFactory(email="answerer@example.com"), interests="Logistics")
    staff(client, MARKETING)

    html = client.get(reverse("admin:accounts_profile_changelist")).content.decode()
    profile = Profile.objects.get()
    page = client.get(reverse("admin:accounts_profile_change", args=[profile.pk]))

    assert "Logistics" in html
    assert "answerer@example.com" not in html
    assert page.status_code == 200
    assert "answerer@example.com" not in page.content.decode()


@pytest.mark.django_db
def test_support_cannot_read_the_answers(client):
    staff(client, SUPPORT)

    assert client.get(reverse("admin:accounts_profile_changelist")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 12])
def test_profile_changelist_query_count_does_not_grow(client, django_assert_num_queries, rows):
    for _ in range(rows):
        Profile.objects.create(user=UserFactory(), interests="Logistics")
    staff(client, MARKETING)

    # session, user, permissions (user's, groups'), count, count of all, the page
    with django_assert_num_queries(7):
        response = client.get(reverse("admin:accounts_profile_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 12])
def test_erasure_changelist_query_count_does_not_grow(client, django_assert_num_queries, rows):
    for _ in range(rows):
        account_erase(user=UserFactory())
    staff(client, PRIVACY_OFFICER)

    # session, user, permissions (user's, groups'), count, count of all, the page,
    # first/last date and the days for the date hierarchy
    with django_assert_num_queries(9):
        response = client.get(reverse("admin:accounts_accounterasure_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_signed_in_sessions_can_be_searched_by_address(client):
    from allauth.usersessions.models import UserSession

    person = UserFactory(email="searched.person@example.com")
    UserSession.objects.create(user=person, ip="192.0.2.1", session_key="k" * 32)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(
        reverse("admin:usersessions_usersession_changelist"), {"q": "searched.person"}
    )

    assert response.status_code == 200
    assert b"192.0.2.1" in response.content


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["one", "action"])
def test_deleting_an_account_in_the_admin_erases_the_person(superuser_client, how):
    from consent.models import Subject, email_digest
    from consent.purposes import Purpose, Source
    from consent.services import consent_grant
    from orders.models import Order
    from orders.tests.factories import placed_order

    person = UserFactory(email="deleted.person@example.com", name="Deleted Person")
    consent_grant(user=person, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    placed_order(user=person, name="Deleted Person")

    if how == "one":
        url = reverse("admin:accounts_user_delete", args=[person.pk])
        response = superuser_client.post(url, {"post": "yes"})
    else:
        url = reverse("admin:accounts_user_changelist")
        data = {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"}
        response = superuser_client.post(url, data)

    assert response.status_code == 302
    erasure = AccountErasure.objects.get()
    assert erasure.former_user_id == person.pk
    order = Order.objects.get()  # kept for accounting, without the person
    assert order.user_id is None
    assert "Deleted Person" not in order.name
    assert "deleted.person" not in order.email
    assert Subject.objects.get(email_digest=email_digest(person.email)).email is None


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["one", "action"])
def test_an_account_whose_unpaid_orders_page_cannot_be_closed_stays_with_a_message(
    superuser_client, how, monkeypatch
):
    from accounts.models import User
    from orders.providers import PaymentProviderError, SandboxProvider
    from orders.tests.factories import placed_order

    person = UserFactory(email="still.here@example.com")
    order = placed_order(user=person)
    SandboxProvider().start(order=order, return_url="", cancel_url="")

    def unreachable(self, *, payment):
        raise PaymentProviderError("Connection refused")

    monkeypatch.setattr(SandboxProvider, "close", unreachable)
    if how == "one":
        url = reverse("admin:accounts_user_delete", args=[person.pk])
        response = superuser_client.post(url, {"post": "yes"}, follow=True)
    else:
        url = reverse("admin:accounts_user_changelist")
        data = {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"}
        response = superuser_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "payment provider could not be reached" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()
    assert not AccountErasure.objects.exists()


@pytest.mark.django_db
def test_a_staff_account_that_changed_an_election_cannot_be_deleted(superuser_client):
    from consent.models import ConsentEvent
    from consent.purposes import Purpose, Source
    from consent.services import consent_withdraw

    person = UserFactory()
    support = UserFactory(is_staff=True)
    event = consent_withdraw(
        user=person, purpose=Purpose.MARKETING, source=Source.PREFERENCES, actor=support
    )

    url = reverse("admin:accounts_user_delete", args=[support.pk])
    page = superuser_client.get(url).content.decode()
    superuser_client.post(url, {"post": "yes"})

    assert "Cannot delete user" in page
    assert ConsentEvent.objects.get(pk=event.pk).actor == support


@pytest.mark.django_db
@pytest.mark.parametrize("record", ["admin history", "refund", "disclosure"])
def test_a_staff_account_whose_work_is_on_record_is_not_erased_with_that_record(
    superuser_client, record
):
    from django.contrib.admin.models import CHANGE

    from orders.models import OrderEvent
    from orders.services import order_refund
    from orders.tests.factories import placed_order, sandbox_paid
    from privacy.models import Disclosure
    from privacy.services import disclosure_record_for_addresses

    support = UserFactory(is_staff=True)
    order = placed_order(email="buyer@example.com")
    sandbox_paid(order)
    if record == "admin history":
        LogEntry.objects.log_actions(
            user_id=support.pk, queryset=[order], action_flag=CHANGE, change_message="Resent"
        )
    elif record == "refund":
        order_refund(
            order=order, source=OrderEvent.Source.STAFF, reason="Asked for it", actor=support
        )
    else:
        disclosure_record_for_addresses(
            emails=["buyer@example.com"],
            recipient="County court",
            data_categories=["order"],
            basis=Disclosure.Basis.LEGAL_REQUIREMENT,
            recorded_by=support,
        )

    url = reverse("admin:accounts_user_delete", args=[support.pk])
    response = superuser_client.post(url, {"post": "yes"}, follow=True)

    assert "deactivates it instead" in response.content.decode()
    assert User.objects.filter(pk=support.pk).exists()
    assert not AccountErasure.objects.exists()
    assert LogEntry.objects.filter(user=support).exists() == (record == "admin history")
    assert OrderEvent.objects.filter(actor=support).exists() == (record == "refund")
    assert Disclosure.objects.filter(recorded_by=support).exists() == (record == "disclosure")


@pytest.mark.django_db
def test_a_bulk_deletion_says_which_accounts_were_not_erased_and_counts_right(
    superuser_client, monkeypatch
):
    from orders.providers import PaymentProviderError, SandboxProvider
    from orders.tests.factories import ProductFactory, placed_order

    blocked, erasable = UserFactory(email="blocked@example.com"), UserFactory()
    order = placed_order(ProductFactory(), user=blocked)
    SandboxProvider().start(order=order, return_url="", cancel_url="")

    def unreachable(self, *, payment):
        raise PaymentProviderError("Connection refused")

    monkeypatch.setattr(SandboxProvider, "close", unreachable)
    data = {
        "action": "delete_selected",
        "_selected_action": [blocked.pk, erasable.pk],
        "post": "yes",
    }

    response = superuser_client.post(reverse("admin:accounts_user_changelist"), data, follow=True)

    html = response.content.decode()
    assert "Not erased, blocked@example.com: Our payment provider could not be reached" in html
    assert "Erased 1 of the selected accounts; 1 not (see why above)." in html
    assert "Successfully deleted" not in html
    assert User.objects.filter(pk=blocked.pk).exists()
    # The admin's history records the erasure done, under the account's number only.
    deletions = LogEntry.objects.filter(action_flag=DELETION)
    assert list(deletions.values_list("object_id", "object_repr")) == [
        (str(erasable.pk), f"erased account #{erasable.pk}")
    ]
    assert not User.objects.filter(pk=erasable.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["one", "action"])
def test_a_person_with_a_resume_and_a_result_is_erased_without_showing_either(
    superuser_client, how
):
    from assessments.models import Sitting
    from assessments.tests.factories import owner_with_software, sitting_scored
    from resumes.models import ResumeWorkspace, WorkEntry
    from resumes.tests.factories import staff_member, workspace_with_draft

    person = owner_with_software(email="with.resume@example.com")
    workspace = workspace_with_draft(owner=person, writer=staff_member(RESUME_WRITER))
    WorkEntry.objects.create(
        questionnaire=workspace.questionnaire,
        job_title="Night auditor",
        employer="Harbour Hotel",
        start_year=2019,
    )
    sitting_scored(person)
    if how == "one":
        url = reverse("admin:accounts_user_delete", args=[person.pk])
        confirm = {"post": "yes"}
        page = superuser_client.get(url)
    else:
        url = reverse("admin:accounts_user_changelist")
        confirm = {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"}
        page = superuser_client.post(url, {k: v for k, v in confirm.items() if k != "post"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Cannot delete" not in html
    assert "with.resume@example.com" in html
    for content in ("Night auditor", "Harbour Hotel", "draft.pdf", "Draft 1"):
        assert content not in html

    response = superuser_client.post(url, confirm)

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert AccountErasure.objects.get().former_user_id == person.pk
    assert not ResumeWorkspace.objects.filter(owner_id=person.pk).exists()
    assert not Sitting.objects.filter(user_id=person.pk).exists()


@pytest.mark.django_db
def test_an_accounts_address_is_not_changed_in_the_admin(superuser_client):
    person = UserFactory(email="kept.address@example.com", name="Kept")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = {
        "email": "typed.by.staff@example.com",
        "name": "Kept Renamed",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
    }

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "Kept Renamed"
    assert person.email == "kept.address@example.com"


@pytest.mark.django_db
def test_an_accounts_addresses_are_only_seen_in_the_admin(superuser_client):
    from allauth.account.models import EmailAddress

    person = UserFactory(email="kept.address@example.com")
    address = EmailAddress.objects.create(
        user=person, email="second@example.com", verified=False, primary=False
    )
    change = reverse("admin:account_emailaddress_change", args=[address.pk])

    assert superuser_client.get(change).status_code == 200
    response = superuser_client.post(
        change, {"user": person.pk, "email": "typed.by.staff@example.com", "verified": "on"}
    )
    listed = superuser_client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "make_verified", "_selected_action": [address.pk]},
    )

    assert response.status_code == 403
    assert listed.status_code == 200  # No such action: the list is shown again.
    address.refresh_from_db()
    assert (address.email, address.verified) == ("second@example.com", False)


@pytest.mark.django_db
def test_a_privacy_officer_finds_an_erasure_by_the_address_it_erased(client):
    # The record keeps only the address's keyed digest, which nobody can type in.
    gone, other = UserFactory(email="gone@example.com"), UserFactory(email="other@example.com")
    gone_id = gone.pk
    account_erase(user=gone)
    account_erase(user=other)
    staff(client, PRIVACY_OFFICER)

    response = client.get(
        reverse("admin:accounts_accounterasure_changelist"), {"q": " Gone@Example.com "}
    )

    assert [erasure.former_user_id for erasure in response.context["cl"].result_list] == [gone_id]


@pytest.mark.django_db
def test_an_address_differing_only_in_case_cannot_become_a_second_account(superuser_client):
    from django.db import IntegrityError, transaction

    UserFactory(email="alice@example.com")
    password = "Xy12!correct-horse"

    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "ALICE@example.com",
            "name": "Alice",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    # Nor by any other way: the consent ledger files both under one address.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="Alice@Example.com")
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
