"""For tests of data migrations: run them on rows as they stood before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target):
    """Migrate to target (app label, migration name); return the historical models as
    of it."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def _latest_schema_after():
    # The tests after one of these need every migration applied, whatever it left.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
