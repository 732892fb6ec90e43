"""A county importing one year of its 60 townships: 60 upward bundles, each a township's first (full) bundle.

What a township's year is here (docs/PERFORMANCE.md): the field reports in shared/context put a
county of 22 townships at 180 clues handled and 112 cases filed in a year (003), i.e. about 8
clues and 5 filed cases per township; this bench takes a busy year, five times that: 40 clues,
each with its reported person, link row, case and 2–6 step records; 10 of them filed, each with a
decision and 4 documents of about 30 KB; and 6 attachments of 300 KB (photos, scanned receipts).
With the township's audit events that is roughly 500 records and 3 MB per bundle.

The 60 township stores and bundles are made once (not timed, a few minutes); the county's first
import of each is held for the fingerprint, confirmed, and then the 60 bundles are imported and timed.

Run: python -m bench county_import   (BENCH_COUNTY_TOWNSHIPS=10 for a quick look)
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from app.domain import workflow as engine
from app.models import (
    Attachment,
    Case,
    Clue,
    ClueSubject,
    Decision,
    Document,
    Person,
    StepRecord,
)
from app.paths import store_paths
from app.services import case_codec, offices, ruleset, setup, sync, unlock

TOWNSHIPS = int(os.environ.get("BENCH_COUNTY_TOWNSHIPS", "60"))
CLUES, FILED, DOCUMENTS_PER_FILED, ATTACHMENTS = 40, 10, 4, 6
DOCUMENT_SIZE, ATTACHMENT_SIZE = 30 * 1024, 300 * 1024
GOAL_S = 10.0
PASSWORD = "bench-2026-county"


def township_year(store, rng: random.Random) -> None:
    """One township's year, written through the ORM so every row has its audit event, as in use."""
    rules = ruleset.load(store)
    me = store.office.id
    with store.write() as s:
        cases = []
        for i in range(CLUES):
            received = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 330))
            person = Person(owner_office_id=me, name=f"人员{i:03d}", unit="某村民委员会", post="村委会主任",
                            person_key=f"county-bench-{me}-{i}")
            clue = Clue(owner_office_id=me, number=f"纪线〔2026〕{i + 1}号", received_on=received, source="信访举报（来信）",
                        summary=f"反映人员{i:03d}在惠农补贴发放中优亲厚友、违规套取资金的问题。", categories=["违反群众纪律"])
            state = engine.initial_state(rules.workflow, received, {"source": "信访举报（来信）", "persons": [{"name": person.name}]})
            filed = i < FILED
            case = Case(owner_office_id=me, clue_id=clue.id, stage=rules.workflow.stage_of(state.step_id).id, step_id=state.step_id,
                        step_entered_on=received, number=f"纪立〔2026〕{i + 1}号" if filed else "",
                        filed_on=received + timedelta(days=20) if filed else None, state=case_codec.to_json(state))
            s.add_all([person, clue])
            s.flush()
            s.add_all([ClueSubject(owner_office_id=me, clue_id=clue.id, person_id=person.id), case])
            s.flush()
            visits = rng.randrange(2, 7)
            s.add_all([StepRecord(owner_office_id=me, case_id=case.id, seq=n + 1, step_id=state.step_id,
                                  entered_on=received + timedelta(days=7 * n), checklist=["谈话笔录", "书面说明"],
                                  fields={"note": "按程序办理"}, completed_on=received + timedelta(days=7 * n + 5))
                       for n in range(visits)])
            if filed:
                s.add(Decision(owner_office_id=me, case_id=case.id, step_id=state.step_id, decision_id="accept",
                               decided_on=received + timedelta(days=3), approver="纪委书记"))
                for d in range(DOCUMENTS_PER_FILED):
                    data = rng.randbytes(DOCUMENT_SIZE)
                    s.add(Document(owner_office_id=me, case_id=case.id, template_id=f"doc_{d}", template_version="1",
                                   title=f"文书{d}", number=f"纪文〔2026〕{i * 10 + d}号", content=data, size=len(data),
                                   sha256=hashlib.sha256(data).hexdigest()))
            cases.append(case.id)
        for n in range(ATTACHMENTS):
            data = rng.randbytes(ATTACHMENT_SIZE)
            s.add(Attachment(owner_office_id=me, case_id=cases[n % FILED], name=f"证据{n}.jpg", content=data,
                             size=len(data), sha256=hashlib.sha256(data).hexdigest()))


def make_bundles(root: Path):
    county_paths = store_paths(root / "county")
    setup.create_store(county_paths, setup.SetupRequest("C01", "青山县纪委", "county", "管理员", PASSWORD, parent_code="S01",
                                                        kdf_profile="fast"))
    county = unlock.unlock(county_paths, None, PASSWORD).store
    stick = root / "stick"
    stick.mkdir()
    bundles = []
    rng = random.Random(2026)
    for n in range(1, TOWNSHIPS + 1):
        code = f"T{n:03d}"
        offices.add_office(county, code, f"第{n}乡镇纪委", "township", abbr=f"乡{n}")
        package = root / f"{code}_setup.jab"
        offices.make_setup_package(county, code, package)
        paths = store_paths(root / code)
        setup.create_store(paths, setup.SetupRequest("", "", "", "管理员", PASSWORD, kdf_profile="fast",
                                                     setup_package=offices.read_setup_package(package)))
        township = unlock.unlock(paths, None, PASSWORD).store
        township_year(township, rng)
        bundle = Path(sync.export(township, "C01", stick).bundle)
        held = sync.import_one(county, bundle)
        assert held.code == "fingerprint_unconfirmed", held
        offices.trust(county, code, offices.fingerprint(township).fingerprint)
        township.close()
        shutil.rmtree(paths.root)  # only the bundle is needed from here on
        bundles.append(bundle)
    return county, bundles


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-county-"))
    try:
        start = time.perf_counter()
        county, bundles = make_bundles(root)
        size = sum(b.stat().st_size for b in bundles)
        print(f"made {len(bundles)} township bundles ({size / 1024 / 1024:.0f} MB) in {time.perf_counter() - start:.0f} s "
              "(not measured)")
        each, records = [], 0
        total_start = time.perf_counter()
        for bundle in bundles:
            start = time.perf_counter()
            result = sync.import_one(county, bundle)
            each.append(time.perf_counter() - start)
            assert not result.refused and result.rejected == 0, result
            records += result.new
        total = time.perf_counter() - total_start
        county.close()
        print(f"county imported {len(bundles)} bundles, {records} records: {total:.2f} s in all (goal <= {GOAL_S:.0f} s for 60), "
              f"median {statistics.median(each) * 1000:.0f} ms per bundle, slowest {max(each) * 1000:.0f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
