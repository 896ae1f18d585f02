"""Index and unique-constraint changes that do not stop the site while they run.

On PostgreSQL an index is built and dropped CONCURRENTLY: reads and writes of the
table go on meanwhile (a plain CREATE INDEX blocks writes, a DROP INDEX even reads,
for as long as the build takes on a big table). A migration using these must set
atomic = False. On other databases (the embedded SQLite default) the plain operation
runs. If a concurrent build fails it leaves an INVALID index behind: drop it
(DROP INDEX CONCURRENTLY name) and run the migration again.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddConstraint, AddIndex, RemoveIndex


class _Online:
    """Runs `concurrent` on PostgreSQL and `plain` elsewhere."""

    concurrent: type
    plain: type

    def _operation(self, schema_editor) -> type:
        postgres = schema_editor.connection.vendor == "postgresql"
        return self.concurrent if postgres else self.plain

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = self._operation(schema_editor)
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = self._operation(schema_editor)
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexOnline(_Online, AddIndexConcurrently):
    concurrent, plain = AddIndexConcurrently, AddIndex

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"


class RemoveIndexOnline(_Online, RemoveIndexConcurrently):
    concurrent, plain = RemoveIndexConcurrently, RemoveIndex

    def describe(self):
        return f"Remove index {self.name} from {self.model_name} (concurrently on PostgreSQL)"


class AddUniqueConstraintOnline(AddConstraint):
    """A unique constraint on plain columns or on expressions. On PostgreSQL its index
    is built concurrently first, then made the constraint (a brief lock); one on
    expressions stays a unique index, as Django makes it. Elsewhere it is added as
    usual."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        constraint = self.constraint
        model = to_state.apps.get_model(app_label, self.model_name)
        if constraint.expressions and not (constraint.fields or constraint.condition):
            sql = str(constraint.create_sql(model, schema_editor))
            prefix = "CREATE UNIQUE INDEX "
            assert sql.startswith(prefix)
            schema_editor.execute(f"{prefix}CONCURRENTLY {sql.removeprefix(prefix)}")
            return None
        assert constraint.fields and not (constraint.condition or constraint.expressions)
        quote = schema_editor.quote_name
        columns = ", ".join(quote(model._meta.get_field(f).column) for f in constraint.fields)
        table, name = quote(model._meta.db_table), quote(constraint.name)
        schema_editor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({columns})")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"
        )

    def describe(self):
        return (
            f"Create constraint {self.constraint.name} on model {self.model_name} "
            "(its index concurrently on PostgreSQL)"
        )
