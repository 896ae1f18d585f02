"""P7: the disclosure log. Entries go through disclosure_record() only, nobody changes or
deletes one, and people see the entries about them on My privacy."""

import pytest
from django.conf import settings
from django.urls import reverse

from consent.services import subject_get_or_create
from privacy.models import Disclosure
from privacy.services import disclosure_record

ADD_URL = reverse("admin:privacy_disclosure_add")
MY_PRIVACY = reverse("accounts:privacy")


def legal_form(**overrides):
    data = {
        "recipient": "District Court of Example County",
        "basis": Disclosure.Basis.LEGAL_REQUIREMENT,
        "reference": "Order 2026-CV-0412",
        "data_categories": "name\norder history\n",
        "emails": "alice@example.com",
        "shown_to_subject": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_privacy_officer_records_a_legal_requirement_disclosure_in_admin(
    client, privacy_officer, alice
):
    client.force_login(privacy_officer)

    response = client.post(ADD_URL, legal_form())

    disclosure = Disclosure.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_disclosure_change", args=[disclosure.pk])
    assert disclosure.recipient == "District Court of Example County"
    assert disclosure.basis == Disclosure.Basis.LEGAL_REQUIREMENT
    assert disclosure.data_categories == ["name", "order history"]
    assert disclosure.reference == "Order 2026-CV-0412"
    assert disclosure.recorded_by == privacy_officer
    assert disclosure.shown_to_subject
    assert list(disclosure.subjects.all()) == [subject_get_or_create(user=alice)]


@pytest.mark.django_db
def test_the_admin_records_through_the_one_function(client, privacy_officer, alice, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "privacy.services.disclosure_record",
        lambda **kwargs: calls.append(kwargs) or disclosure_record(**kwargs),
    )
    client.force_login(privacy_officer)

    client.post(ADD_URL, legal_form())

    assert len(calls) == 1
    assert calls[0]["recorded_by"] == privacy_officer


@pytest.mark.django_db
def test_a_legal_requirement_may_be_hidden_from_the_person(client, privacy_officer, alice):
    client.force_login(privacy_officer)

    client.post(ADD_URL, legal_form(shown_to_subject=None))

    assert Disclosure.objects.get().shown_to_subject is False


@pytest.mark.django_db
def test_only_a_legal_requirement_may_be_hidden(client, privacy_officer, alice):
    client.force_login(privacy_officer)

    response = client.post(
        ADD_URL, legal_form(basis=Disclosure.Basis.PROTECTION, shown_to_subject=None)
    )

    assert response.status_code == 200
    assert "Only a disclosure the law required may be hidden" in response.content.decode()
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_an_address_nobody_has_is_refused_and_nothing_is_recorded(client, privacy_officer):
    client.force_login(privacy_officer)

    response = client.post(ADD_URL, legal_form(emails="nobody@example.com\nnot-an-address"))

    assert "No one is on record with: nobody@example.com, not-an-address." in (
        response.content.decode()
    )
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_record(client, support, alice):
    client.force_login(support)

    response = client.post(ADD_URL, legal_form())

    assert response.status_code == 403
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_nobody_edits_or_deletes_an_entry_even_a_superuser(client, django_user_model, alice):
    owner = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    disclosure = disclosure_record(
        recipient="Court",
        data_categories=["name"],
        basis=Disclosure.Basis.LEGAL_REQUIREMENT,
        subjects=[subject_get_or_create(user=alice)],
    )
    client.force_login(owner)

    change = client.post(
        reverse("admin:privacy_disclosure_change", args=[disclosure.pk]), {"recipient": "X"}
    )
    delete = client.post(
        reverse("admin:privacy_disclosure_delete", args=[disclosure.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:privacy_disclosure_changelist"),
        {"action": "delete_selected", "_selected_action": [disclosure.pk], "post": "yes"},
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code in {200, 302}
    disclosure.refresh_from_db()
    assert disclosure.recipient == "Court"
    with pytest.raises(TypeError):
        disclosure.delete()
    with pytest.raises(TypeError):
        Disclosure.objects.filter(pk=disclosure.pk).update(recipient="X")


@pytest.mark.django_db
def test_privacy_officer_can_read_the_log(client, privacy_officer, alice):
    disclosure_record(recipient="Court", data_categories=["name"], basis="legal-requirement")
    client.force_login(privacy_officer)

    html = client.get(reverse("admin:privacy_disclosure_changelist")).content.decode()

    assert "Court" in html


# --- My privacy ------------------------------------------------------------------------


def disclose(user, **fields):
    return disclosure_record(
        recipient=fields.pop("recipient", "Acme Staffing"),
        data_categories=fields.pop("data_categories", ["resume"]),
        basis=fields.pop("basis", Disclosure.Basis.AUTHORIZATION),
        reference=fields.pop("reference", "R-1"),
        subjects=[subject_get_or_create(user=user)],
        **fields,
    )


@pytest.mark.django_db
def test_my_privacy_shows_the_disclosures_of_my_data(client, alice):
    disclose(alice, recipient="Acme Staffing", data_categories=["resume", "name"])
    client.force_login(alice)

    html = client.get(MY_PRIVACY).content.decode()

    assert "<td>Acme Staffing</td>" in html
    assert "<td>name, resume</td>" in html
    assert "<td>The person&#x27;s authorization</td>" in html
    assert "<td>R-1</td>" in html


@pytest.mark.django_db
def test_my_privacy_hides_entries_marked_not_to_be_shown(client, alice):
    disclose(
        alice,
        recipient="Sealed Court",
        basis=Disclosure.Basis.LEGAL_REQUIREMENT,
        shown_to_subject=False,
    )
    client.force_login(alice)

    html = client.get(MY_PRIVACY).content.decode()

    assert "Sealed Court" not in html
    assert "we have not passed information about you to anyone" in html


@pytest.mark.django_db
def test_my_privacy_shows_only_my_own_disclosures(client, alice, bob):
    disclose(bob, recipient="Bobs Recruiter")
    client.force_login(alice)

    assert "Bobs Recruiter" not in client.get(MY_PRIVACY).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("entries", [1, 30])
def test_my_privacy_query_count_does_not_grow_with_disclosures(
    client, alice, django_assert_num_queries, entries
):
    for n in range(entries):
        disclose(alice, reference=f"R-{n}")
    client.force_login(alice)
    client.get(MY_PRIVACY)

    # session, user, current elections, the history's first page (empty), the person's
    # verified addresses, the page's disclosures about any of them (and how many, only
    # when there are more than a page of them), signed-in sessions, recent data exports
    # (the partner for the host is cached by the first request)
    with django_assert_num_queries({1: 8, 30: 9}[entries]):
        response = client.get(MY_PRIVACY)
    assert response.content.decode().count("<td>Acme Staffing</td>") == min(
        entries, settings.LIST_PAGE_SIZE
    )


@pytest.mark.django_db
@pytest.mark.parametrize("entries", [1, 30])
def test_disclosure_log_changelist_query_count(
    client, privacy_officer, alice, django_assert_num_queries, entries
):
    for n in range(entries):
        disclose(alice, reference=f"R-{n}", recorded_by=privacy_officer)
    client.force_login(privacy_officer)
    url = reverse("admin:privacy_disclosure_changelist")
    client.get(url)

    # session, user, user's own and group permissions, count, count of all, the page
    # of entries with who recorded them
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
