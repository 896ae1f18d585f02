"""Data migrations of the consent ledger, run on rows as they stood before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consent.models import email_digest


def migrate(target):
    """Migrate to target; return the historical models as of it."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_account_filed_under_the_idna_2003_form_of_its_domain_moves_to_its_own():
    old = migrate(("consent", "0006_election_awaiting"))
    user = old.get_model("accounts", "User").objects.create(
        email="una@straße.de", name="Una", password="!"
    )
    Subject = old.get_model("consent", "Subject")
    Subject.objects.create(
        email="una@strasse.de", email_digest=email_digest("una@strasse.de"), user=user
    )
    Subject.objects.create(email="bare@strasse.de", email_digest=email_digest("bare@strasse.de"))

    new = migrate(("consent", "0007_subjects_renormalized"))

    Subject = new.get_model("consent", "Subject")
    moved = Subject.objects.get(user__isnull=False)
    assert (moved.email, moved.email_digest) == (
        "una@xn--strae-oqa.de",
        email_digest("una@xn--strae-oqa.de"),
    )
    assert Subject.objects.filter(email="bare@strasse.de").exists()
