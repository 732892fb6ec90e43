"""Issue 17: a township holding its own valid keys cannot poison the county. Every attack here is a
bundle the township's own export wrote, opened with the township's own identity, edited, and sealed
and signed again with the project's writer and the township's own keys: the signature is valid, so
only the meaning of the content can give it away. Each attack asserts the refusal (or conflict)
and that the county's store holds exactly what it held before, compared table by table."""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import shutil
import stat
import tempfile
import tomllib
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from app.models import AuditEvent, BundleLog, Case, Clue, OfficeKey, ReviewOpinion, Sanction, Setting, StatisticsSnapshot
from app.documents import external
from app.services import offices, sync
from app.sync import archive, container, pack, quarantine
from app.storage.audit import GENESIS, event_hash
from app.sync.records import encode
from tests.integration.conftest import run_cli_captured as run_cli
from tests.integration.test_sync_roundtrip import (
    export,
    fingerprint,
    init_with_package,
    make_chain,
    ok,
    opened,
    pair,
)
from tests.integration.test_case_paths import Walk


def contents(store) -> dict[str, list[tuple]]:
    """Every row of every table of an open store, sorted: what "unchanged" is compared against
    (one unlock for before and after: unlocking is itself an audited event)."""
    with store.read() as s:
        out = {}
        for name, table in sorted(SQLModel.metadata.tables.items()):
            rows = s.execute(sa_select(table)).all()
            out[name] = sorted((tuple(repr(v) for v in r) for r in rows))
        return out


def assert_same(before: dict, after: dict) -> None:
    for name in before:
        assert before[name] == after[name], f"table {name} changed"
    assert set(before) == set(after)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """City → county C01 → townships T001 and T002, both paired, each with a case the county holds;
    the county transferred a clue to T001, which T001 holds."""
    tmp = tmp_path_factory.mktemp("poison")
    chain = make_chain(tmp, run_cli)
    t2 = tmp / "township2"
    init_with_package(run_cli, chain.county, t2, "T002", "石门乡纪委", "township", chain.stick)
    (tmp / "w1").mkdir()
    (tmp / "w2").mkdir()
    to_review(chain.township, tmp / "w1")
    victim_case = to_review(t2, tmp / "w2")
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    pair(run_cli, chain, t2, chain.county, "T002", "C01")
    clue = tmp / "clue.json"
    clue.write_text(json.dumps({"received_on": "2026-03-02", "source": "信访举报（来信）",
                                "persons": [{"name": "赵德明", "unit": "青石镇农业服务中心"}],
                                "summary": "反映赵德明虚报冒领惠农补贴"}, ensure_ascii=False), encoding="utf-8")
    ok(run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue, "--json"))
    down = export(run_cli, chain.county, "T001", chain.stick)
    ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))
    with opened(chain.county) as store, store.read() as s:
        county_clue = s.exec(select(Clue.id).where(Clue.owner_office_id == store.office.id)).one()
    yield chain, t2, victim_case, county_clue
    os.environ.pop("JIANTONG_PASSWORD", None)


def to_review(data: Path, folder: Path) -> str:
    walk = Walk().path("accept")
    return ok(run_cli("--data-dir", data, "apply", "--file", walk.write(folder), "--json"))["refs"]["c"]


def fresh_bundle(data: Path, to: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with opened(data) as store:
        return Path(sync.export(store, to, out, full=True).bundle)


def read_payload(data: Path, bundle: Path) -> tuple[dict[str, list[dict]], dict[str, bytes]]:
    """The records and other entries of a bundle this office wrote (it can decrypt its own)."""
    with opened(data) as store, store.read() as s:
        identity = offices.own_keys(s, store.office.id).identity()
    header = container.read_header(bundle)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.zip"
        pack.decrypt(bundle, header, identity, plain)
        with zipfile.ZipFile(plain) as z:
            entries = {n: z.read(n) for n in z.namelist() if n != archive.INDEX}
    records = {n[len("records/"):-len(".jsonl")]: [json.loads(line) for line in data.decode().split("\n") if line]
               for n, data in entries.items() if n.startswith("records/")}
    return records, {n: d for n, d in entries.items() if not n.startswith("records/")}


def reseal(data: Path, bundle: Path, records: dict[str, list[dict]], others: dict[str, bytes], out: Path,
           tamper=None, **manifest_changes) -> Path:
    """The same bundle with other content, sealed and signed again with the sender's own keys;
    `tamper` may change the payload's builder (its index) before it is closed."""
    with opened(data) as store, store.read() as s:
        own = offices.own_keys(s, store.office.id)
        header = container.read_header(bundle)
        peer = s.get(OfficeKey, header.manifest["recipient"]["office_id"])
    out.mkdir(parents=True, exist_ok=True)

    def fill(builder: archive.Builder) -> None:
        for table, rows in records.items():
            if rows:
                builder.add_lines(f"records/{table}.jsonl", rows)
        for name, content in others.items():
            builder.add(name, content, compress=not name.startswith("files/"))
        if tamper is not None:
            tamper(builder)

    def manifest_of(sealed: pack.Sealed) -> dict:
        m = copy.deepcopy(header.manifest)
        counts = {t: len(rows) for t, rows in records.items() if rows}
        m.update(bundle_id=bundle_id, counts={**counts, "files": m["counts"].get("files", 0)}, **sealed.body_fields())
        m.update(manifest_changes)  # `counts` too, for entries given as bytes in `others`
        return m

    bundle_id = uuid.uuid4().hex
    target = out / bundle.name
    room = len(container.canonical(manifest_of(pack.PLACEHOLDER)))
    container.write_streamed(target, own, room, lambda fh: manifest_of(
        pack.seal_into(fh, [peer.age_recipient, own.public.age_recipient], fill)))
    return target


def refused_unchanged(county: Path, bundle: Path, code: str) -> sync.ImportResult:
    """The preview and the import both refuse with `code`, and the county's store is unchanged."""
    with opened(county) as store:
        before = contents(store)
        preview = sync.import_one(store, bundle, dry_run=True)
        result = sync.import_one(store, bundle)
        after = contents(store)
    assert preview.refused and preview.code == code, preview
    assert result.refused and result.code == code, result
    assert "未导入" in result.reason and "数据库未改动" in result.reason
    assert_same(before, after)
    return result


def office_id(data: Path) -> str:
    with opened(data) as store:
        return store.office.id


def new_row(template: dict, **changes) -> dict:
    return {**copy.deepcopy(template), "id": uuid.uuid4().hex, "version": 1, **changes}


# --- point 2: the owner of every referenced parent ---------------------------------------

def test_case_hung_under_the_countys_clue_is_refused(world, tmp_path):
    chain, _, _, county_clue = world
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    own_case = records["case"][0]
    person = new_row(records["person"][0], name="钱某", person_key="钱某|外村")
    link = new_row(records["clue_subject"][0], clue_id=county_clue, person_id=person["id"])
    case = new_row(own_case, clue_id=county_clue, number="")
    records["person"].append(person)
    records["clue_subject"].append(link)
    records["case"].append(case)
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "foreign_parent")
    assert county_clue in result.reason and "青山县纪委（C01）" in result.reason
    with opened(chain.county) as store:
        assert any(h.reason_code == "foreign_parent" for h in sync.held(store))


def test_sanction_and_step_record_under_another_townships_case_are_refused(world, tmp_path):
    chain, t2, victim_case, _ = world
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    sanction = Sanction(owner_office_id=office_id(chain.township), case_id=victim_case, type_id="party_expulsion",
                        kind="party", form=4)
    records.setdefault("sanction", []).append(encode("sanction", sanction))
    with opened(t2) as store, store.read() as s:
        next_seq = max(r.seq for r in s.exec(select(AuditEvent)).all())  # any number T002 will use later
    records["step_record"].append(new_row(records["step_record"][0], case_id=victim_case, seq=next_seq))
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "foreign_parent")
    assert victim_case in result.reason and "石门乡纪委（T002）" in result.reason
    # the victim still syncs: its full bundle imports without an error
    again = fresh_bundle(t2, "C01", tmp_path / "victim")
    with opened(chain.county) as store:
        taken = sync.import_one(store, again)
    assert not taken.refused, taken


def test_downward_opinion_on_the_receivers_own_case_is_still_taken(world, tmp_path):
    """The rule lets a superior's review opinion refer to the receiver's case (how opinions travel)."""
    chain, t2, victim_case, _ = world
    with opened(chain.county) as store, store.write() as s:
        entered = s.get(Case, victim_case).step_entered_on
        s.add(ReviewOpinion(owner_office_id=store.office.id, case_id=victim_case, kind="review", number="县纪审〔2026〕7号",
                            issued_on=entered + timedelta(days=2), conclusion="同意"))
    down = fresh_bundle(chain.county, "T002", tmp_path / "down")
    with opened(t2) as store:
        taken = sync.import_one(store, down)
    assert not taken.refused and taken.new >= 1, taken


def test_own_parents_still_import(world, tmp_path):
    """The township's honest bundle, resealed unchanged, is taken: the refusals were about the edits."""
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    with opened(chain.county) as store:
        assert not sync.import_one(store, forged, dry_run=True).refused



# --- point 1: audit events only as extensions of the sender's chain -----------------------

def forged_event(template: dict, seq: int, prev_hash: str, summary: str = "伪造的事件") -> dict:
    ev = {**template, "id": uuid.uuid4().hex, "seq": seq, "prev_hash": prev_hash, "summary": summary}
    ev["hash"] = event_hash(prev_hash, seq, ev["at"], ev["account"], ev["action"], ev["entity"], ev["summary"])
    return ev


def test_event_chained_to_nothing_is_refused_with_its_gap(world, tmp_path):
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    events = records["audit_event"]
    last = max(e["seq"] for e in events)
    events.append(forged_event(events[-1], last + 1000, GENESIS))  # valid hash on its own, linked to nothing
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "audit_chain")
    assert "青石镇纪委（T001）" in result.reason and f"缺少第{last + 1}至{last + 999}号" in result.reason


def test_a_refusal_names_the_sender_as_the_receiver_knows_it_not_as_the_bundle_renames_it(world, tmp_path):
    """Office records are written first; a refusal found after them rolls them back, so the message
    names the office as the store still has it."""
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    own = next(o for o in records["office"] if o["code"] == "T001")
    own.update(name="青石镇纪律检查委员会", version=own["version"] + 1)
    events = records["audit_event"]
    events.append(forged_event(events[-1], max(e["seq"] for e in events) + 1000, GENESIS))
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "audit_chain")
    assert "青石镇纪委（T001）的审计事件" in result.reason and "青石镇纪律检查委员会" not in result.reason, result.reason


def test_event_with_the_next_number_but_a_wrong_link_is_refused(world, tmp_path):
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    events = records["audit_event"]
    last = max(e["seq"] for e in events)
    events.append(forged_event(events[-1], last + 1, GENESIS))
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "audit_chain")
    assert f"第{last + 1}号与前一事件" in result.reason


def test_huge_event_number_is_bounded(world, tmp_path):
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    events = records["audit_event"]
    events.append(forged_event(events[-1], 10 ** 12, GENESIS))
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "audit_chain")
    assert f"至{10 ** 12 - 1}号" in result.reason


def county_copy(chain, tmp_path: Path, change):
    """A copy of the county's store whose township audit events `change(session, township_id)` alters
    behind the app's back (as a store written before these checks existed could hold); its result too."""
    county = tmp_path / "county"
    shutil.copytree(chain.county, county)
    with opened(chain.township) as store:
        township_id = store.office.id
    with opened(county) as store, store.write() as s:
        return county, change(s, township_id)


@pytest.mark.parametrize("disorder", ["repeated", "swapped"])
def test_events_out_of_their_order_are_refused(world, tmp_path, disorder):
    """[BUNDLE.md §6] a sender's audit events come in rising (office, seq) order, as it writes them:
    a repeated or misplaced event is refused before its chain is followed."""
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    events = records["audit_event"]
    if disorder == "repeated":
        events.append(copy.deepcopy(events[-1]))
    else:
        events[-1], events[-2] = events[-2], events[-1]
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "audit_chain")
    assert "审计事件未按单位和序号依次排列" in result.reason and "青石镇纪委（T001）" in result.reason
    assert ("重复出现" if disorder == "repeated" else "之后") in result.reason


def test_new_events_that_do_not_link_to_the_stored_event_after_them_are_refused(world, tmp_path):
    """[issue 17 §3] events fill a hole in the chain the county holds (a later bundle came first):
    the stored event after the run must link to the run's last, which the bundle rewrote."""
    chain = world[0]

    def punch_hole(s, township_id):
        tip = s.execute(sa_select(func.max(AuditEvent.seq)).where(AuditEvent.office_id == township_id)).scalar()
        s.connection().execute(AuditEvent.__table__.delete().where(AuditEvent.office_id == township_id,
                                                                   AuditEvent.seq.between(tip - 6, tip - 3)))
        return tip

    county, tip = county_copy(chain, tmp_path, punch_hole)
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    events = records["audit_event"]
    i = next(n for n, e in enumerate(events) if e["seq"] == tip - 3)
    events[i] = {**forged_event(events[i], tip - 3, events[i]["prev_hash"], summary="改写的事件"), "id": events[i]["id"]}
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(county, forged, "audit_chain")
    assert f"第{tip - 3}号与本单位已保存的第{tip - 2}号事件衔接不上" in result.reason


def test_received_chain_problem_is_named_by_verify_and_never_blocks_restore(world, tmp_path, run_cli):
    """A broken chain of another office (stored before these checks existed) is reported by
    `verify` with that office's name; the county's own backup still restores."""
    chain = world[0]

    def poison(s, township_id):
        tip = s.execute(sa_select(AuditEvent.__table__).where(AuditEvent.office_id == township_id)
                        .order_by(AuditEvent.seq.desc()).limit(1)).mappings().one()
        s.connection().execute(AuditEvent.__table__.insert(), [forged_event(dict(tip), tip["seq"] + 1000, GENESIS)])
        return tip

    county, tip = county_copy(chain, tmp_path, poison)
    checked = run_cli("--data-dir", county, "verify", "--json")
    assert checked.code == 1
    assert "青石镇纪委（T001）的审计链" in checked.err and f"缺少第{tip['seq'] + 1}至{tip['seq'] + 999}号" in checked.err
    backup = tmp_path / "county-backup.zip"
    assert run_cli("--data-dir", county, "backup", "--out", backup).code == 0
    restored = run_cli("--data-dir", county, "restore", backup, "--json")
    assert restored.code == 0, restored.err


# --- point 4: case states read against the rules in force ---------------------------------

def with_case_state(chain, tmp_path: Path, name: str, change) -> Path:
    bundle = fresh_bundle(chain.township, "C01", tmp_path / f"made_{name}")
    records, others = read_payload(chain.township, bundle)
    change(bumped(records["case"][0]))  # a newer version: what the county would take
    return reseal(chain.township, bundle, records, others, tmp_path / f"forged_{name}")


def unknown_step(case: dict) -> None:
    case["state"]["step_id"] = case["step_id"] = "no_such_step"


def far_date(case: dict) -> None:
    case["state"]["entered_on"] = "9999-12-31"


def events_as_list(case: dict) -> None:
    case["state"]["events"] = ["registered"]


def garbage(case: dict) -> None:
    case["state"] = {"x": 1}


def unknown_field(case: dict) -> None:
    case["state"]["fields"]["nowhere.nothing"] = "x"


@pytest.mark.parametrize("change, said", [
    (unknown_step, "no_such_step"), (far_date, "日期超出"), (events_as_list, "格式有误"), (garbage, "格式有误"),
    (unknown_field, "nowhere.nothing"),
])
def test_poisoned_case_state_is_refused_and_screens_keep_working(world, tmp_path, change, said, run_cli):
    chain = world[0]
    forged = with_case_state(chain, tmp_path, change.__name__, change)
    result = refused_unchanged(chain.county, forged, "case_invalid")
    assert said in result.reason
    listed = run_cli("--data-dir", chain.county, "case", "list", "--json")
    assert listed.code == 0, listed.err


def test_year_9999_in_a_record_column_is_refused(world, tmp_path):
    chain = world[0]

    def change(case: dict) -> None:
        case["next_due"] = "9999-12-31"

    result = refused_unchanged(chain.county, with_case_state(chain, tmp_path, "column", change), "record_invalid")
    assert "next_due" in result.reason


# --- point 11: apply reads JSON Lines by "\n" only ------------------------------------------

def test_apply_keeps_line_separators_inside_json_strings(township, run_cli, tmp_path):
    summary = "反映某某\u2028违规发放补贴\u2029及\u0085其他问题"
    lines = [{"ref": "a", "clue": {"received_on": "2026-03-02", "source": "自行发现",
                                   "persons": [{"name": "周立新", "unit": "石门村"}], "summary": summary}},
             {"case": "a", "type": "complete_item", "item_id": "nonexistent_item"}]
    path = tmp_path / "lines.jsonl"
    path.write_bytes(("\r\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n").encode("utf-8"))
    result = run_cli("--data-dir", township, "apply", "--file", path, "--json")
    assert result.json["applied"] == 1 and result.json["failed"]["line"] == 2, result.out + result.err
    shown = ok(run_cli("--data-dir", township, "case", "show", result.json["refs"]["a"], "--json"))
    # one record, not three; text hygiene (issue 19 point 10) keeps each separator as a line break
    assert shown["summary"] == "反映某某\n违规发放补贴\n及\n其他问题"


# --- point 3: append-only histories and the county's own acts ------------------------------

def rewritten(chain, tmp_path: Path, change) -> Path:
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    change(records)
    return reseal(chain.township, bundle, records, others, tmp_path / "forged")


def bumped(row: dict) -> dict:
    row["version"] += 1
    return row


def test_case_history_with_decisions_removed_is_a_conflict(world, tmp_path):
    chain = world[0]

    def change(records):
        case = bumped(next(r for r in records["case"] if r["state"]["history"]))  # the case the county holds
        case["state"]["history"] = []
        case["step_entered_on"] = case["state"]["entered_on"] = "2026-01-05"

    result = refused_unchanged(chain.county, rewritten(chain, tmp_path, change), "history_conflict")
    assert "办理经过" in result.reason and "本单位已有1项" in result.reason


def test_changed_decision_and_finished_step_record_are_conflicts(world, tmp_path):
    chain = world[0]

    def change(records):
        decision = bumped(records["decision"][0])
        decision["decided_on"] = "2026-01-06"
        done = next(r for r in records["step_record"] if r["completed_on"])
        bumped(done)["completed_on"] = "2026-01-07"

    result = refused_unchanged(chain.county, rewritten(chain, tmp_path, change), "history_conflict")
    assert "已有的决定" in result.reason and "decided_on" in result.reason and "completed_on" in result.reason


def test_rewritten_audit_event_is_a_conflict(world, tmp_path):
    chain = world[0]

    def change(records):
        first = records["audit_event"][0]
        first.update(forged_event(first, first["seq"], first["prev_hash"], summary="改写的事件"), id=first["id"])

    result = refused_unchanged(chain.county, rewritten(chain, tmp_path, change), "history_conflict")
    assert "审计事件与本单位已收到的同号事件不一致" in result.reason


def test_invented_county_opinion_is_refused_with_the_countys_version(world, tmp_path):
    chain = world[0]
    county = tmp_path / "county"
    shutil.copytree(chain.county, county)
    with opened(chain.township) as store, store.read() as s:
        case_id = s.exec(select(Case.id).where(Case.owner_office_id == store.office.id)).first()
    with opened(county) as store, store.write() as s:
        s.add(ReviewOpinion(owner_office_id=store.office.id, case_id=case_id, kind="review", number="县纪审〔2026〕7号",
                            issued_on=s.get(Case, case_id).step_entered_on, conclusion="同意", text="事实清楚，定性准确"))

    def change(records):
        case = bumped(next(r for r in records["case"] if r["id"] == case_id))
        case["state"]["fields"].update({"county_review.county_opinion_no": "县纪审〔2026〕99号",
                                        "county_review.opinion_summary": "县纪委同意，无需再报"})

    result = refused_unchanged(county, rewritten(chain, tmp_path, change), "history_conflict")
    assert "县纪审〔2026〕99号" in result.reason and "县纪审〔2026〕7号" in result.reason and "事实清楚，定性准确" in result.reason


# --- point 7: a used sequence number, office names, the city's trust -----------------------

def test_second_different_bundle_under_a_used_number_is_kept_as_evidence(world, tmp_path):
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    with opened(chain.county) as store:
        assert not sync.import_one(store, bundle).refused
    records["case"][0]["version"] += 1
    records["case"][0]["summary" if "summary" in records["case"][0] else "outcome"] = "另一份内容"
    second = reseal(chain.township, bundle, records, others, tmp_path / "second")
    result = refused_unchanged(chain.county, second, "seq_conflict")
    assert "内容不同" in result.reason
    with opened(chain.county) as store:
        held = [h for h in sync.held(store) if h.reason_code == "seq_conflict"]
        again = sync.import_one(store, bundle)
    assert held, "the second version is kept"
    assert again.refused and again.code == "replay"  # the very same file is a harmless replay


def test_township_cannot_take_the_countys_name(world, tmp_path):
    chain = world[0]

    def change(records):
        own = bumped(next(r for r in records["office"] if r["code"] == "T001"))
        own["name"] = "青山县纪委"

    result = refused_unchanged(chain.county, rewritten(chain, tmp_path, change), "office_conflict")
    assert "青山县纪委" in result.reason and "C01" in result.reason


def test_city_trusts_only_townships_it_already_knows(world, tmp_path):
    """A county's statistics bundle may introduce a township's office record, but not records owned
    by it on the county's word."""
    chain = world[0]
    city = tmp_path / "city"
    shutil.copytree(chain.city, city)
    county = tmp_path / "county"
    shutil.copytree(chain.county, county)
    first = fresh_bundle(county, "S01", tmp_path / "first")
    assert run_cli("--data-dir", city, "import", first, "--json").code == 2  # until the fingerprint is confirmed
    ok(run_cli("--data-dir", city, "trust", "C01", "--fingerprint", fingerprint(run_cli, county), "--json"))  # imports it
    bundle = fresh_bundle(county, "S01", tmp_path / "made")
    records, others = read_payload(county, bundle)
    stranger = uuid.uuid4().hex
    template = next(r for r in records["office"] if r["code"] == "C01")
    records["office"].append({**template, "id": stranger, "owner_office_id": stranger, "code": "T999", "name": "新设镇纪委",
                              "level": "township", "parent_code": "C01", "version": 1})
    snapshot = StatisticsSnapshot(owner_office_id=stranger, office_code="T999", office_name="新设镇纪委", level="township",
                                  parent_code="C01", period_from=date(2026, 1, 1), period_to=date(2026, 6, 30),
                                  indicators={"filed": 99}, computed_on=date(2026, 7, 1))
    records["statistics_snapshot"] = [encode("statistics_snapshot", snapshot)]
    forged = reseal(county, bundle, records, others, tmp_path / "forged")
    with opened(city) as store:
        result = sync.import_one(store, forged)
        with store.read() as s:
            taken = s.exec(select(StatisticsSnapshot).where(StatisticsSnapshot.owner_office_id == stranger)).all()
    assert not result.refused and result.rejected == 1, result
    assert taken == []


# --- issue point 6: what a county pushes down is bounded ------------------------------------

def settings_of(store) -> dict:
    with store.read() as s:
        return {r.key: r.value for r in s.exec(select(Setting)).all()}


def test_holiday_table_marking_every_day_is_refused(world, tmp_path):
    chain = world[0]
    bundle = fresh_bundle(chain.county, "T001", tmp_path / "made")
    records, others = read_payload(chain.county, bundle)
    every_day = {(date(2030, 1, 1) + timedelta(days=n)).isoformat(): "假日" for n in range(365)}
    others["holidays/2030.json"] = json.dumps({"year": 2030, "source": "伪造", "holidays": every_day, "workdays": []},
                                              ensure_ascii=False).encode()
    forged = reseal(chain.county, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.township, forged, "holidays_invalid")
    assert "放假日过多" in result.reason
    others.pop("holidays/2030.json")
    others["holidays/9999.json"] = json.dumps({"year": 9999, "source": "伪造", "holidays": {}, "workdays": []}).encode()
    forged = reseal(chain.county, bundle, records, others, tmp_path / "forged9999")
    assert "年份超出" in refused_unchanged(chain.township, forged, "holidays_invalid").reason


def test_rules_with_an_endless_deadline_are_not_taken(world, tmp_path, run_cli):
    chain = world[0]
    bundle = fresh_bundle(chain.county, "T001", tmp_path / "made")
    records, others = read_payload(chain.county, bundle)
    text = others["rules/workflow.toml"].decode()
    marker = 'title = "上级转办件5个工作日内登记并完成受理或转办"\nstart = "clue_received"\nstop = "intake_decided"\nlength = '
    endless = text.replace(marker + "5\n", marker + "10000000\n")
    assert endless != text
    others["rules/workflow.toml"] = endless.encode()
    forged = reseal(chain.county, bundle, records, others, tmp_path / "forged")
    township = tmp_path / "township"  # a copy: this forged bundle is taken, the county never made it
    shutil.copytree(chain.township, township)
    with opened(township) as store:
        before = settings_of(store)
        result = sync.import_one(store, forged)
        after = settings_of(store)
    assert not result.refused, result
    assert any("10000000" in w and "未接受" in w for w in result.warnings), result.warnings
    assert {k: v for k, v in after.items() if k.startswith("rules_file")} == {
        k: v for k, v in before.items() if k.startswith("rules_file")}
    made = run_cli("--data-dir", township, "apply", "--file", write_lines(tmp_path, [
        {"ref": "n", "clue": {"received_on": "2026-03-02", "source": "自行发现", "persons": [{"name": "孙某", "unit": "某村"}],
                              "summary": "反映孙某问题"}}]), "--json")
    assert made.code == 0, made.err


def write_lines(folder: Path, lines: list[dict]) -> Path:
    path = folder / "lines.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    return path


def test_a_step_after_the_commit_that_fails_is_reported_truthfully(world, tmp_path, monkeypatch):
    """The bundle is taken; a follow-up step that fails is reported as such, never as "refused,
    nothing changed". The bounds above removed the known ways a bundle makes these steps fail, so
    the failure is injected here (the one stand-in in this file): the transfer intake raises."""
    from app.services import review

    chain = world[0]
    township = tmp_path / "township"
    shutil.copytree(chain.township, township)
    bundle = fresh_bundle(chain.county, "T001", tmp_path / "made")

    def broken(_store, **_kw):
        raise RuntimeError("intake failed")

    monkeypatch.setattr(review, "after_import", broken)
    with opened(township) as store:
        result = sync.import_one(store, bundle)
        again = sync.import_one(store, bundle)
    assert not result.refused, result
    assert any("数据包已导入" in e and "未能全部完成" in e and "RuntimeError" in e for e in result.effects), result.effects
    assert again.refused and again.code == "replay"


# --- "must hold" 6: templates received from above -----------------------------------------

def docx_with(data: bytes, changes: dict) -> bytes:
    """The .docx with some parts rewritten (name → function of the old bytes, or new bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for name in names:
            content = src.read(name)
            change = changes.get(name)
            dst.writestr(name, change(content) if callable(change) else change if change is not None else content)
        for name, change in changes.items():
            if name not in names:
                dst.writestr(name, change)
    return out.getvalue()


def shipped_template(template_id: str) -> tuple[dict, bytes]:
    folder = Path(__file__).resolve().parents[2] / "app" / "docs_templates"
    entry = next(e for e in tomllib.loads((folder / "manifest.toml").read_text("utf-8"))["templates"] if e["id"] == template_id)
    return entry, (folder / entry["file"]).read_bytes()


def first_text(xml: bytes, inserted: str) -> bytes:
    at = xml.index(b"</w:t>")
    return xml[:at] + inserted.encode() + xml[at:]


INCLUDEPICTURE = (b'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "http://198.51.100.7/x.png" \\\\d </w:instrText></w:r>')
EXTERNAL_REL = (b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'attachedTemplate" Target="file://198.51.100.7/share/t.dotm" TargetMode="External"/>')


def with_field(xml: bytes) -> bytes:
    at = xml.index(b"</w:p>")
    return xml[:at] + INCLUDEPICTURE + xml[at:]


def with_external_rel(xml: bytes) -> bytes:
    return xml.replace(b"</Relationships>", EXTERNAL_REL + b"</Relationships>")


GROWTH = '{% set a = "x" %}' + "{% set a = a ~ a %}" * 30 + "{{ a }}"


@pytest.mark.parametrize("name, changes, said", [
    ("growth", {"word/document.xml": lambda x: first_text(x, GROWTH)}, "成倍增长"),
    ("replace", {"word/document.xml": lambda x: first_text(x, "{{ office.name" + "|replace('纪','纪纪纪纪纪纪纪纪纪纪纪纪纪纪纪纪纪纪纪纪')" * 4 + " }}")},
     "成倍增长"),
    ("includepicture", {"word/document.xml": with_field}, "INCLUDEPICTURE"),
    ("attached", {"word/_rels/document.xml.rels": with_external_rel}, "file://198.51.100.7"),
])
def test_hostile_templates_from_the_county_are_refused(world, tmp_path, name, changes, said):
    chain = world[0]
    bundle = fresh_bundle(chain.county, "T001", tmp_path / "made")
    records, others = read_payload(chain.county, bundle)
    entry, data = shipped_template("clue_register_form")
    value = {"entry": entry, "docx": base64.b64encode(docx_with(data, changes)).decode()}
    others[f"templates/{entry['id']}.json"] = json.dumps(value, ensure_ascii=False).encode()
    forged = reseal(chain.county, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.township, forged, "templates_refused")
    assert said in result.reason


def test_generated_documents_fetch_nothing(tmp_path):
    """Whatever a template holds, what leaves the renderer has no external relationship or
    fetching field: stripped, and still a document Word (python-docx here) opens."""
    _, data = shipped_template("clue_register_form")
    settings_rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     + EXTERNAL_REL + b"</Relationships>")

    def attach(xml: bytes) -> bytes:
        head, rest = xml.split(b">", 2)[0:2], xml.split(b">", 2)[2]
        return b">".join(head) + b"><w:attachedTemplate r:id=\"rIdEvil\"/>" + rest if b"xmlns:r=" in xml else xml.replace(
            b"<w:settings ", b'<w:settings xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ', 1
        ).replace(b"<w:zoom", b'<w:attachedTemplate r:id="rIdEvil"/><w:zoom', 1)

    hostile = docx_with(data, {"word/document.xml": with_field, "word/settings.xml": attach,
                               "word/_rels/settings.xml.rels": settings_rels})
    assert len(external.problems(hostile)) >= 2
    clean = external.strip(hostile)
    assert external.problems(clean) == []
    with zipfile.ZipFile(io.BytesIO(clean)) as z:
        assert b"attachedTemplate" not in z.read("word/settings.xml")
        assert b"INCLUDEPICTURE" not in z.read("word/document.xml")
    docx.Document(io.BytesIO(clean))


# --- point 8: confirming a fingerprint imports the bundle waiting for it --------------------

def test_trust_imports_the_waiting_bundle_with_its_preview(tmp_path, run_cli):
    chain = make_chain(tmp_path, run_cli)
    bundle = export(run_cli, chain.township, "C01", chain.stick)["bundle"]
    assert run_cli("--data-dir", chain.county, "import", bundle, "--json").code == 2
    typed = fingerprint(run_cli, chain.township)
    preview = ok(run_cli("--data-dir", chain.county, "trust", "T001", "--fingerprint", typed, "--dry-run", "--json"))
    assert preview["imported"][0]["new"] > 0 and quarantine.held(chain.county)  # a preview writes nothing, still held
    taken = ok(run_cli("--data-dir", chain.county, "trust", "T001", "--fingerprint", typed, "--json"))
    assert [r["file"] for r in taken["imported"]] == [Path(bundle).name] and taken["imported"][0]["new"] > 0
    assert quarantine.held(chain.county) == []
    with opened(chain.county) as store, store.read() as s:
        assert s.exec(select(BundleLog.file_name).where(BundleLog.direction == "in")).all() == [Path(bundle).name]


# --- issue 18, item 8: decrypted payloads never written to disk -----------------------------

def test_payload_is_never_plaintext_on_disk(world, tmp_path):
    """While exporting and importing, every file in the working folder and on the stick is looked at
    whenever progress is reported: none holds a ZIP header or a line of the records. (An export
    encrypts as it builds, straight into the hidden bundle file on the stick; an import decrypts into
    a sealed working copy.)"""
    chain = world[0]
    seen: list[Path] = []

    def watcher(*folders: Path):
        def progress(_done, _total, _label=""):
            for path in [p for folder in folders for p in folder.rglob("*")]:
                if path.is_file():
                    data = path.read_bytes()
                    assert b"PK\x03\x04" not in data and b'"owner_office_id"' not in data, path
                    if folders[0] in path.parents:  # the working folders are the user's alone
                        assert {stat.S_IMODE(d.stat().st_mode) for d in path.parents if folders[0] in d.parents} == {0o700}
                    seen.append(path)
        return progress

    township = tmp_path / "township"
    shutil.copytree(chain.township, township)
    stick = tmp_path / "out"
    stick.mkdir()
    with opened(township) as store:
        made = sync.export(store, "C01", stick, full=True, progress=watcher(store.paths.sync_work, stick))
    assert any(p.parent == stick and p.name.startswith(f".{Path(made.bundle).name}.part") for p in seen)
    county = tmp_path / "county"
    shutil.copytree(chain.county, county)
    with opened(county) as store:
        result = sync.import_one(store, Path(made.bundle), progress=watcher(store.paths.sync_work))
    assert not result.refused, result
    assert any(p.name == "received.spool" for p in seen)


def test_huge_bundle_number_reports_its_gap_as_a_range(world, tmp_path):
    chain = world[0]
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged", seq=10 ** 12)
    with opened(chain.county) as store:
        before = contents(store)
        preview = sync.import_one(store, forged, dry_run=True)
        after = contents(store)
    assert not preview.refused, preview
    assert any(f"至{10 ** 12 - 1}号数据包" in w for w in preview.warnings), preview.warnings
    assert_same(before, after)
