"""Index changes that do not stop the site while they run.

On PostgreSQL an index is built and dropped CONCURRENTLY: reads and writes of the
table go on meanwhile (a plain CREATE INDEX blocks writes, a DROP INDEX even reads,
for as long as the build takes on a big table). A migration using these must set
atomic = False. On other databases (the embedded SQLite default) the plain operation
runs. If a concurrent build fails it leaves an INVALID index behind: drop it
(DROP INDEX CONCURRENTLY name) and run the migration again.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


def _concurrently(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexOnline(AddIndexConcurrently):
    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = AddIndexConcurrently if _concurrently(schema_editor) else AddIndex
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = AddIndexConcurrently if _concurrently(schema_editor) else AddIndex
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexOnline(RemoveIndexConcurrently):
    def describe(self):
        return f"Remove index {self.name} from {self.model_name} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = RemoveIndexConcurrently if _concurrently(schema_editor) else RemoveIndex
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = RemoveIndexConcurrently if _concurrently(schema_editor) else RemoveIndex
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)
