"""Migration operations shared by the apps."""

from django.db import migrations


def drop_redundant_index(
    alter: migrations.AlterField, *, table: str, index: str, column: str
) -> migrations.SeparateDatabaseAndState:
    """``alter`` (a foreign key made ``db_index=False`` because a composite
    index begins with its column) in the migrations' state, and in the
    database only its index dropped.

    Django's own AlterField drops the foreign key's constraint with the index
    and adds it again: PostgreSQL then checks every row of the table against
    the referenced one, with the table's writes waiting (seconds for a
    fortnight of a municipality's visits, minutes for years of them), and
    SQLite copies the whole table. Nothing but the index changes here, and
    the names are those Django gave the indexes, the same on both databases."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[alter],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
        ],
    )
