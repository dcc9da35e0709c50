"""GIN indexes for full-text search (threads/search.py), PostgreSQL only.

The indexed expressions are exactly what Django's SearchVector(field, config="english")
compiles to, so the planner uses them for `to_tsvector(...) @@ query`. SQLite (the
laptop default) searches by substring and gets no index.
"""

from django.db import migrations

INDEXES = [
    ("post_body_search_idx", "threads_post", "body"),
    ("thread_title_search_idx", "threads_thread", "title"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
            f"(to_tsvector('english'::regconfig, COALESCE({column}, ''::text)))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("threads", "0004_seed_argument_tags")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
