import pytest

from accounts.tests.factories import UserFactory
from contests import personal_data
from contests.models import ContestEntry
from contests.tests.factories import ContestEntryFactory, ContestFactory, PartnerFactory


@pytest.mark.django_db
def test_the_export_holds_the_persons_entries_with_the_notice_they_saw():
    alice = UserFactory(email="alice@example.com")
    contest = ContestFactory(title="Spring draw", partner=PartnerFactory(name="Monster"))
    ContestEntryFactory(contest=contest, email="alice@example.com", city="Dayton")
    ContestEntryFactory(email="bob@example.com")

    entries = personal_data.export(alice)["entries"]

    assert len(entries) == 1
    assert entries[0]["contest"] == "Spring draw"
    assert entries[0]["address"]["city"] == "Dayton"
    assert (entries[0]["co_sponsor"], entries[0]["co_sponsor_notice_version"]) == ("Monster", 1)


@pytest.mark.django_db
def test_an_entry_without_postal_address_is_exported_and_erased():
    alice = UserFactory(email="alice@example.com")
    contest = ContestFactory(prize_is_posted=False)
    blank = {"address_line1": "", "city": "", "postal_code": "", "country": ""}
    ContestEntryFactory(contest=contest, user=alice, email="alice@example.com", **blank)

    entries = personal_data.export(alice)["entries"]
    personal_data.erase(alice)

    assert [(entry["email"], entry["address"]) for entry in entries] == [
        ("alice@example.com", None)
    ]
    assert not ContestEntry.objects.exists()


@pytest.mark.django_db
def test_erasing_deletes_the_persons_entries_only():
    alice = UserFactory(email="alice@example.com")
    ContestEntryFactory(user=alice, email="old-address@example.com")
    ContestEntryFactory(email="alice@example.com")
    bobs = ContestEntryFactory(email="bob@example.com")

    personal_data.erase(alice)

    assert list(ContestEntry.objects.all()) == [bobs]
