"""Migrations of mail, run on rows as they stood before them."""

import pytest
from django.core.management import CommandError

from careerperfect.tests.migrations import _latest_schema_after, migrate  # noqa: F401

BEFORE = ("mail", "0006_inbound_delivery")
ONE_PER_SUBJECT = ("mail", "0007_one_delivery_per_subject")


def deliveries(apps, *rows):
    """A campaign with a delivery per (subject id, address)."""
    campaign = apps.get_model("mail", "Campaign").objects.create(
        kind="marketing", subject="Spring", body_markdown="Hello"
    )
    Delivery = apps.get_model("mail", "Delivery")
    for subject_id, email in rows:
        Delivery.objects.create(campaign=campaign, subject_id_at_queue=subject_id, email=email)
    return campaign


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_person_delivered_twice_stops_the_migration_and_nothing_is_deleted():
    old = migrate(BEFORE)
    campaign = deliveries(old, (7, "old@example.com"), (7, "new@example.com"), (8, "b@example.com"))

    with pytest.raises(CommandError, match=rf"campaign {campaign.pk}, subject 7\. Nothing was"):
        migrate(ONE_PER_SUBJECT)

    Delivery = old.get_model("mail", "Delivery")
    assert Delivery.objects.count() == 3
    # As staff would, so that the schema can be brought up to date after the test.
    Delivery.objects.filter(email="new@example.com").delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_delivery_per_subject_applies_and_reverses_keeping_the_rows():
    old = migrate(BEFORE)
    deliveries(old, (7, "a@example.com"), (8, "b@example.com"))

    new = migrate(ONE_PER_SUBJECT)
    assert new.get_model("mail", "Delivery").objects.count() == 2
    migrate(BEFORE)

    assert old.get_model("mail", "Delivery").objects.count() == 2
