"""Stores made by every released schema version open, upgrade to the head and keep their data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.paths import store_paths
from app.services import cases, documents, status, unlock
from app.storage import schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"
PASSWORD = "fixture2026"


@pytest.mark.parametrize("version", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_released_store_upgrades_and_keeps_its_cases(version, tmp_path):
    data = tmp_path / version
    shutil.copytree(FIXTURES / version, data)
    store = unlock.unlock(store_paths(data), "张书记", PASSWORD).store
    try:
        assert schema.current_revision(store.engine) == schema.head_revision()
        assert status.verify(store).ok
        rows = cases.list_cases(store)
        assert len(rows) == 6
        made = []
        shown = cases.show_case(store, rows[0].case_id)
        assert shown["stage"]["title"]
        for row in rows:  # migration 0004: each person of the clue is a subject of the case, in order
            shown = cases.show_case(store, row.case_id)
            assert [p["name"] for p in shown["subjects"]] == [p["name"] for p in shown["persons"]]
            ids = {p["id"] for p in shown["subjects"]}
            state = cases.case_state(store, row.case_id)
            assert {p.id for p in state.subjects} == ids and all(x.subject in ids for x in state.sanctions)
            for person in shown["subjects"]:
                assert all(x["approving_body"] for x in person["sanctions"])
            # migration 0005: a document made before it is the case's own (no person), and none is voided
            made.extend(documents.list_documents(store, row.case_id))
    finally:
        store.close()
    if version < "0005":
        assert all(d.subject_id is None and not d.voided for d in made)
    else:  # a store of 0005 on: per-person documents and a voided one, with its reason, kept
        assert any(d.subject_id for d in made) and [d.void_reason for d in made if d.voided] == ["装订前发现错误"]
    if version != schema.head_revision():
        assert (data / "migration-backups" / f"store-{version}.db").exists()
