"""Index and constraint migrations that would block a big table run online on PostgreSQL.
(Elsewhere the plain operations run: every SQLite test database is migrated with them.)"""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.postgres
# Outside a transaction, as migrations that build indexes concurrently run.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("app", "migration", "expected"),
    [
        (
            "orders",
            "0004_email_upper_index",
            ["CREATE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY"],
        ),
        ("orders", "0007_order_checkout_key", ["CREATE UNIQUE INDEX CONCURRENTLY", "USING INDEX"]),
        (
            "accounts",
            "0006_one_account_per_address",
            ["CREATE UNIQUE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY"],
        ),
        (
            "mail",
            "0007_one_delivery_per_subject",
            ["CREATE UNIQUE INDEX CONCURRENTLY", "USING INDEX"],
        ),
    ],
)
def test_on_postgresql_indexes_are_built_concurrently(app, migration, expected):
    out = StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)

    for statement in expected:
        assert statement in out.getvalue()
