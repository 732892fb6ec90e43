"""The migrations build exactly the schema the models declare, on a real SQLCipher store."""

from __future__ import annotations

import json
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from app.models import SYNCED_TABLES
from app.paths import store_paths
from app.services import unlock
from app.services.search import SEARCH_TABLE_PREFIX
from app.storage import schema

from tests.integration.conftest import PASSWORD, run_child


def not_search_index(name, type_, _parent_names) -> bool:
    """The case search of migration 0002 (FTS5 table, its shadow tables, id map, list index) and the
    expression index on the 重复件 flag of migration 0006 are no model."""
    if type_ == "index" and name == "ix_case_repeat_flag":
        return False
    return not (type_ in ("table", "index") and (name or "").startswith(SEARCH_TABLE_PREFIX))


def test_migrated_store_matches_models(township):
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        assert schema.current_revision(store.engine) == schema.head_revision()
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": not_search_index})
            diff = compare_metadata(context, SQLModel.metadata)
        assert diff == []
    finally:
        store.close()


def test_every_synced_table_has_the_sync_fields():
    for name in SYNCED_TABLES:
        columns = set(SQLModel.metadata.tables[name].columns.keys())
        assert {"id", "owner_office_id", "version", "created_at", "updated_at", "deleted"} <= columns, name


def test_self_test_exits_zero():
    result = run_child(["--self-test"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["cipher_version"].startswith("4.")
    assert report["documents"] > 0  # the shipped templates rendered through the real pipeline


def test_output_into_a_closed_pipe_is_not_reported_as_an_error():
    child = subprocess.Popen([sys.executable, "-m", "app", "--self-test"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # like `| head` that has read all it wanted before the first line came
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=120) == 1 and err == ""
