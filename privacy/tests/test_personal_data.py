import pytest

from accounts.tests.factories import UserFactory
from consent.services import subject_get_or_create
from privacy import personal_data
from privacy.models import Disclosure
from privacy.services import disclosure_record


def disclose(recipient, *users, **fields):
    return disclosure_record(
        recipient=recipient,
        data_categories=["name", "e-mail address"],
        basis=fields.pop("basis", Disclosure.Basis.CO_BRAND),
        subjects=[subject_get_or_create(user=user) for user in users],
        **fields,
    )


@pytest.mark.django_db
def test_the_export_lists_disclosures_of_the_persons_data_that_they_may_see():
    alice, bob = UserFactory(), UserFactory()
    disclose("Monster", alice, bob, reference="Spring contest")
    disclose("Only Bob's recipient", bob)
    disclose("A court", alice, basis=Disclosure.Basis.LEGAL_REQUIREMENT, shown_to_subject=False)

    disclosures = personal_data.export(alice)["disclosures"]

    assert [(d["recipient"], d["basis"], d["reference"]) for d in disclosures] == [
        ("Monster", "Entered on a co-branded page", "Spring contest")
    ]
    assert disclosures[0]["data_categories"] == ["e-mail address", "name"]


@pytest.mark.django_db
def test_the_disclosure_log_is_not_erased():
    assert not hasattr(personal_data, "erase")
