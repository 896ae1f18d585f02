"""Data migrations of accounts, run on rows as they stood before them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import DataExport
from careerperfect.tests.migrations import _latest_schema_after, migrate  # noqa: F401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_leaves_each_person_one_export_in_progress():
    old = migrate(("accounts", "0004_email_upper_index"))
    user = old.get_model("accounts", "User").objects.create(email="twice@example.com")
    Export = old.get_model("accounts", "DataExport")
    older = Export.objects.create(user=user, status="building")
    newer = Export.objects.create(user=user, status="queued")
    Export.objects.filter(pk=older.pk).update(requested_at=timezone.now() - timedelta(minutes=1))

    migrate(("accounts", "0005_one_data_export_in_progress"))

    statuses = dict(DataExport.objects.values_list("pk", "status"))
    assert statuses == {older.pk: "failed", newer.pk: "queued"}
