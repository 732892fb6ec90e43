"""Any order, repetition and interleaving of a township's bundles leaves the county's store in the
state that applying each once, in order, gives (conflict-free union by id and version)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.models import SYNCED_TABLES, AuditEvent, BundleLog
from app.paths import store_paths
from app.services import sync, unlock
from app.sync.records import MODELS, encode
from tests.integration.conftest import PASSWORD
from tests.integration.conftest import run_cli_captured as run_cli
from tests.integration.test_case_paths import Walk
from tests.integration.test_sync_roundtrip import make_chain, ok, pair


def apply_lines(data: Path, tmp: Path, lines: list[dict]) -> dict:
    path = tmp / "lines.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    return ok(run_cli("--data-dir", data, "apply", "--file", path, "--json"))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """A paired county (the template) and three incremental township bundles made without acks in between."""
    tmp = tmp_path_factory.mktemp("converge")
    chain = make_chain(tmp, run_cli)
    first = apply_lines(chain.township, tmp, Walk().path("accept").lines)["refs"]["c"]
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    down = ok(run_cli("--data-dir", chain.county, "export", "--to", "T001", "--out", chain.stick, "--json"))
    ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))  # acknowledges bundle 1
    template = tmp / "county-template"
    shutil.copytree(chain.county, template)
    bundles = []
    steps = [
        [{"case": first, "type": "complete_item", "item_id": "plan_drafted"}],
        [{"ref": "d", "clue": {"received_on": "2026-03-02", "source": "自行发现", "persons": [{"name": "周立新", "unit": "石门村"}],
                               "summary": "反映周立新违规发放补贴"}}],
        [{"case": first, "type": "complete_item", "item_id": "plan_drafted", "done": False}],
    ]
    for lines in steps:
        apply_lines(chain.township, tmp, lines)
        made = ok(run_cli("--data-dir", chain.township, "export", "--to", "C01", "--out", chain.stick, "--json"))
        bundles.append(Path(made["bundle"]))
    assert [int(b.stem.rsplit("_", 1)[1]) for b in bundles] == [2, 3, 4]
    reference = state_after(template, bundles)
    yield template, bundles, reference
    os.environ.pop("JIANTONG_PASSWORD", None)


def state_after(template: Path, sequence: list[Path]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "county"
        shutil.copytree(template, data)
        store = unlock.unlock(store_paths(data), None, PASSWORD).store
        try:
            for path in sequence:
                sync.import_one(store, path)
            return snapshot(store)
        finally:
            store.close()


def snapshot(store) -> str:
    """Every record the township owns, its audit events and the county's log of its bundles."""
    files: dict = {}
    out = {}
    with store.read() as s:
        township = {o.id for o in s.exec(select(MODELS["office"]).where(MODELS["office"].code == "T001")).all()}
        for table in SYNCED_TABLES:
            model = MODELS[table]
            rows = s.exec(select(model).where(model.owner_office_id.in_(township)).order_by(model.id)).all()
            out[table] = [encode(table, r, files) for r in rows]
        out["audit"] = [[e.seq, e.hash] for e in s.exec(select(AuditEvent).where(AuditEvent.office_id.in_(township))
                                                         .order_by(AuditEvent.seq)).all()]
        out["log"] = sorted([x.seq, x.sha256] for x in s.exec(select(BundleLog).where(BundleLog.direction == "in")).all())
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def test_reference_state_has_everything(scenario):
    template, bundles, reference = scenario
    state = json.loads(reference)
    assert [seq for seq, _ in state["log"]] == [1, 2, 3, 4]
    assert len(state["case"]) == 2
    # the last bundle un-ticked the item again: the newest version won
    first = next(c for c in state["case"] if "plan_drafted" not in c["state"]["checklist"] and c["state"]["history"])
    assert first["version"] >= 3


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_order_and_repetition_converges(scenario, data):
    template, bundles, reference = scenario
    order = data.draw(st.permutations(bundles))
    extra = data.draw(st.lists(st.sampled_from(bundles), max_size=3))
    sequence = list(order)
    for item in extra:
        sequence.insert(data.draw(st.integers(0, len(sequence))), item)
    assert state_after(template, sequence) == reference
