"""0001–0015 are squashed into one migration that keeps `replaces`: a database migrated
through the old files before the squash must migrate as a no-op."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from tests.conftest import SQUASHED_MIGRATION

SQUASHED = ("threads", SQUASHED_MIGRATION)


@pytest.mark.django_db
def test_a_database_at_0015_from_before_the_squash_has_nothing_to_apply():
    executor = MigrationExecutor(connection)
    replaced = executor.loader.replacements[SQUASHED].replaces
    assert len(replaced) == 15 and replaced[-1][1] == "0015_notifications_watching_drafts"
    recorder = MigrationRecorder(connection)
    # The test database was built from the squash, which records what it replaces too;
    # one migrated through the old files has their rows and not the squash's.
    assert set(replaced) <= set(recorder.applied_migrations())
    recorder.record_unapplied(*SQUASHED)

    executor = MigrationExecutor(connection)
    assert SQUASHED in executor.loader.applied_migrations
    leaves = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(leaves) == []
    # migrate then only finishes the recording.
    executor.migrate(leaves)
    assert SQUASHED in recorder.applied_migrations()
