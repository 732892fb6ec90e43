"""The import writes each planned batch at once, inside its transaction (merge.plan's `write`): a
refusal found later — in a later batch, a later table or the sender's audit chain — must still leave
the store exactly as it was, with the refusal's own message, not the error of a half-done write.

The county has never seen the bundle's records, so every batch before the refusal is written; the
batches are made small so there are many of them."""

from __future__ import annotations

import copy
import json
import os
import shutil
import uuid

import pytest
from sqlmodel import select

from app.models import BundleLog, Clue, Document
from app.services import sync
from app.sync import container, staging
from tests.integration.conftest import run_cli_captured as run_cli
from tests.integration.test_sync_poison import (
    assert_same,
    contents,
    forged_event,
    fresh_bundle,
    read_payload,
    refused_unchanged,
    reseal,
)
from tests.integration.test_sync_roundtrip import make_chain, ok, opened, pair


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A paired township that then made cases with documents the county has not received."""
    tmp = tmp_path_factory.mktemp("planned")
    chain = make_chain(tmp, run_cli)
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    spec = tmp / "spec.json"
    spec.write_text(json.dumps({"year": 2026, "seed": 5, "routes": {"filed_three_persons": 1, "filed_sanctioned": 1},
                                "documents": True}), encoding="utf-8")
    ok(run_cli("--data-dir", chain.township, "demo-data", "--spec", spec, "--json"))
    with opened(chain.township) as store, store.write() as s:  # taken as real cases: demo cases never leave
        for clue in s.exec(select(Clue).where(Clue.is_demo == True)).all():  # noqa: E712
            clue.is_demo = False
            s.add(clue)
    yield chain
    os.environ.pop("JIANTONG_PASSWORD", None)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(staging, "BATCH", 3)


def forged(chain, tmp_path, change):
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    with opened(chain.county) as store, store.read() as s:
        known = set(s.exec(select(Document.id)).all())
    assert records["document"] and not known & {r["id"] for r in records["document"]}  # all new to the county
    change(records)
    return reseal(chain.township, bundle, records, others, tmp_path / "forged")


def test_a_broken_audit_chain_after_every_record_was_written_changes_nothing(world, tmp_path):
    """[BUNDLE.md §7] audit events only extend the sender's chain: found after all other tables."""
    def change(records):
        events = records["audit_event"]
        events.append(forged_event(events[-1], max(e["seq"] for e in events) + 50, "0" * 64))

    result = refused_unchanged(world.county, forged(world, tmp_path, change), "audit_chain")
    assert "青石镇纪委（T001）" in result.reason and "不连续" in result.reason


def test_an_entry_whose_hash_fails_after_its_batches_were_written_changes_nothing(world, tmp_path):
    """[BUNDLE.md §7b] an entry's SHA-256 is checked after its last line, when the plan has already
    written its earlier batches and every table before it: the refusal rolls the transaction back."""
    bundle = fresh_bundle(world.township, "C01", tmp_path / "made")
    records, others = read_payload(world.township, bundle)
    assert len(records["audit_event"]) > 3 * staging.BATCH

    def tamper(builder):
        builder.index["records/audit_event.jsonl"]["sha256"] = "0" * 64

    forged = reseal(world.township, bundle, records, others, tmp_path / "forged", tamper=tamper)
    result = refused_unchanged(world.county, forged, "payload_hash")
    assert "records/audit_event.jsonl" in result.reason


def test_a_second_copy_of_a_document_written_in_an_earlier_batch_is_named_as_in_the_bundle(world, tmp_path):
    """The first copy was written by this import before the second was planned: it is still reported
    as another document of the same bundle, not as one the county already had."""
    def change(records):
        first = next(r for r in records["document"] if r["subject_id"] is None)
        records["document"].append({**copy.deepcopy(first), "id": uuid.uuid4().hex, "number": "T001纪〔2026〕97号"})

    result = refused_unchanged(world.county, forged(world, tmp_path, change), "history_conflict")
    assert "同一版本只能有一份" in result.reason and "数据包中另有" in result.reason and "本单位已有" not in result.reason


def test_cancelled_between_batches_the_import_leaves_nothing_and_says_so(world, tmp_path):
    """Cancel is asked after every batch; by then earlier batches are written in the transaction."""
    bundle = fresh_bundle(world.township, "C01", tmp_path / "made")
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 20  # well into the records, many batches written

    with opened(world.county) as store:
        before = contents(store)
        with pytest.raises(container.Cancelled) as cancel:
            sync.import_one(store, bundle, cancelled=cancelled)
        assert_same(before, contents(store))
    assert cancel.value.message == f"已取消：“{bundle.name}”未导入，数据库中没有它的任何内容。"


def test_cancelled_after_one_of_two_bundles_the_first_is_reported_imported(world, tmp_path):
    county = tmp_path / "county"
    shutil.copytree(world.county, county)
    first = fresh_bundle(world.township, "C01", tmp_path / "first")
    second = fresh_bundle(world.township, "C01", tmp_path / "second")
    with opened(county) as store:
        def cancelled() -> bool:  # once the first is taken
            with store.read() as s:
                return s.exec(select(BundleLog).where(BundleLog.file_name == first.name)).first() is not None

        results = sync.import_bundles(store, [second, first], cancelled=cancelled)
        with store.read() as s:
            logged = set(s.exec(select(BundleLog.file_name)).all())
    assert [r.file for r in results] == [first.name, second.name]
    assert not results[0].refused and results[0].new > 0
    assert results[1].refused and results[1].code == "cancelled" and "未导入" in results[1].reason
    assert first.name in logged and second.name not in logged


def test_a_damaged_file_refuses_the_preview_as_it_refuses_the_import(world, tmp_path):
    """A file whose bytes are not those its name (its SHA-256) says is found by the preview, which
    reads every file the import would write, not only by the import."""
    bundle = fresh_bundle(world.township, "C01", tmp_path / "made")
    records, others = read_payload(world.township, bundle)
    name = next(n for n in others if n.startswith("files/"))
    others[name] = others[name] + b"tampered"
    forged = reseal(world.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(world.county, forged, "payload_hash")
    assert name in result.reason
