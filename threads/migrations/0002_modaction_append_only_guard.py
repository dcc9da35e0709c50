"""The moderation log is append-only in PostgreSQL too: a trigger refuses UPDATE and
DELETE on threads_modaction, whatever client issues them. (TRUNCATE, an operator's
tool that the test runner also uses to reset tables, is left alone.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION crux_modaction_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'threads_modaction is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER modaction_append_only
    BEFORE UPDATE OR DELETE ON threads_modaction
    FOR EACH ROW EXECUTE FUNCTION crux_modaction_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS modaction_append_only ON threads_modaction;
DROP FUNCTION IF EXISTS crux_modaction_append_only();
"""


def _run_on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("threads", "0001_initial_debate_schema")]

    operations = [migrations.RunPython(_run_on_postgres(CREATE), _run_on_postgres(DROP))]
