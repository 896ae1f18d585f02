import json

import pytest

from consent.services import subject_get_or_create
from privacy import personal_data
from privacy.models import Disclosure
from privacy.services import disclosure_record


@pytest.mark.django_db
def test_export_lists_the_disclosures_the_person_may_see(alice, bob):
    subject = subject_get_or_create(user=alice)
    disclosure_record(
        recipient="Acme Staffing",
        data_categories=["resume"],
        basis=Disclosure.Basis.AUTHORIZATION,
        reference="R-7",
        subjects=[subject],
    )
    disclosure_record(
        recipient="Sealed Court",
        data_categories=["name"],
        basis=Disclosure.Basis.LEGAL_REQUIREMENT,
        subjects=[subject],
        shown_to_subject=False,
    )
    disclosure_record(
        recipient="Bobs Recruiter",
        data_categories=["resume"],
        basis=Disclosure.Basis.AUTHORIZATION,
        subjects=[subject_get_or_create(user=bob)],
    )

    exported = json.loads(json.dumps(personal_data.export(alice)))

    assert [(d["recipient"], d["reference"]) for d in exported["disclosures"]] == [
        ("Acme Staffing", "R-7")
    ]
    assert exported["disclosures"][0]["basis"] == "The person's authorization"


@pytest.mark.django_db
def test_export_of_someone_without_a_consent_record_is_empty(alice):
    assert personal_data.export(alice) == {"disclosures": []}
