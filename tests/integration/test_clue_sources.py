"""上级转办 and 上级交办 are two sources with two different rules, on real stores.

《纪检监察机关处理检举控告工作规则》(2020):
- 第十六条第二款: 下一级纪检监察机关对转送的检举控告，应当进行登记，在收到之日起5个工作日内完成受理或者转办工作。
- 第二十条: 对属于下级纪检监察机关受理的检举控告…经本机关分管领导批准，可以发函交办。
- 第二十一条: 下级纪检监察机关接到交办的检举控告后，一般应当在3个月内办结，并报送核查处理情况；经本机关主要负责人批准，
  可以延长3个月，并向上级纪检监察机关报告。
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.domain import clue_sources
from app.domain import statistics as stats
from app.errors import InputError
from app.models import Case, Clue
from app.paths import store_paths
from app.services import case_codec, legacy_sources, review, status, unlock
from app.services import cases as cases_service
from app.storage import keyslots
from app.storage.engine import open_engine
from tests.integration.test_case_paths import CLUE, Walk, run_walk
from tests.integration.test_sync_roundtrip import chain, export, ok, opened, pair  # noqa: F401 (chain: fixture)

RECEIVED = date(2026, 3, 2)  # a Monday; 2026-03-09 is the 5th working day after it


def add_clue(run_cli, township, tmp_path, source: str) -> dict:
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({**CLUE, "received_on": RECEIVED.isoformat(), "source": source}, ensure_ascii=False),
                    encoding="utf-8")
    case_id = ok(run_cli("--data-dir", township, "clue", "add", "--file", clue, "--json"))["case_id"]
    return ok(run_cli("--data-dir", township, "case", "show", case_id, "--json"))


def deadlines(shown: dict) -> dict[str, dict]:
    return {d["id"]: d for d in shown["deadlines"]}


def test_a_forwarded_clue_has_5_working_days_to_be_accepted_and_no_3_month_limit(township, run_cli, tmp_path):
    # [J] 第十六条第二款: registered, and 受理 or 转办 completed, within 5 working days of receipt
    shown = add_clue(run_cli, township, tmp_path, clue_sources.TRANSFERRED)
    found = deadlines(shown)
    assert found["register_passed_down"]["due"] == "2026-03-09"
    assert "assigned_case" not in found  # the 3-month 交办 limit ([J] 第二十一条) is not a 转办's


def test_a_clue_assigned_by_letter_runs_3_months_and_must_be_reported(township, run_cli, tmp_path):
    # [J] 第二十一条: 3 months from 接到交办, 报送核查处理情况
    shown = add_clue(run_cli, township, tmp_path, clue_sources.ASSIGNED)
    found = deadlines(shown)
    assert found["assigned_case"]["due"] == "2026-06-02"
    assert "register_passed_down" not in found  # [J] 第十六条 is the 转送 rule


@pytest.mark.parametrize("source, report_required", [(clue_sources.ASSIGNED, True), (clue_sources.TRANSFERRED, False)])
def test_only_an_assigned_clue_must_report_to_the_assigning_office(source, report_required, township, run_cli, tmp_path):
    # [J] 第二十一条、第二十三条: the 交办 result goes to the 交办机关; a plain 转办 has no such report
    walk = Walk({**CLUE, "source": source}).path("accept", "to_close")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback"
    required = {r["id"] for r in shown["required"] if r["kind"] == "field"}
    assert ("close_feedback.upper_reported_on" in required) is report_required


def test_the_county_chooses_transfer_or_assignment_and_the_township_registers_it_so(chain, run_cli, tmp_path):
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({"received_on": date.today().isoformat(), "source": "信访举报（来信）",
                                "persons": [{"name": "赵德明", "unit": "青石镇农业服务中心"}],
                                "summary": "反映赵德明虚报冒领惠农补贴"}, ensure_ascii=False), encoding="utf-8")
    forwarded = ok(run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue, "--json"))
    assigned = ok(run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue,
                          "--mode", "交办", "--json"))
    assert (forwarded["mode"], assigned["mode"]) == ("转办", "交办")
    wrong = run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue, "--mode", "督办")
    assert wrong.code == 2
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("上级转办" in e and "5个工作日内完成受理或转办" in e for e in taken["effects"]), taken["effects"]
    assert any("上级交办" in e and "3个月内办结" in e for e in taken["effects"]), taken["effects"]
    rows = ok(run_cli("--data-dir", chain.township, "case", "list", "--json"))
    by_incoming = {}
    for row in rows:
        shown = ok(run_cli("--data-dir", chain.township, "case", "show", row["case_id"], "--json"))
        by_incoming[shown["fields"]["intake_register.incoming_no"]] = (row["source"], set(deadlines(shown)))
    assert by_incoming[forwarded["clue_number"]][0] == "上级转办"
    assert "register_passed_down" in by_incoming[forwarded["clue_number"]][1]
    assert "assigned_case" not in by_incoming[forwarded["clue_number"]][1]
    assert by_incoming[assigned["clue_number"]][0] == "上级交办"
    assert "assigned_case" in by_incoming[assigned["clue_number"]][1]


def test_a_mode_the_service_does_not_know_is_refused(chain, run_cli):
    with opened(chain.county) as store:
        with pytest.raises(InputError) as caught:
            review.add_transfer(store, "T001", {"persons": [{"name": "赵德明"}], "summary": "x"}, mode="督办")
        assert caught.value.code == "transfer_mode_invalid" and "转办" in caught.value.message
        assert review.list_transfers(store) == []  # nothing was registered


def test_a_transfer_whose_categories_are_not_texts_is_refused_before_it_travels(chain, run_cli):
    """The township's import refuses a clue whose 问题类别 are not texts (app/sync/json_shapes.py), so
    the county must never store one: every later bundle carrying it would be refused."""
    with opened(chain.county) as store:
        with pytest.raises(InputError) as caught:
            review.add_transfer(store, "T001", {"persons": [{"name": "赵德明"}], "summary": "x", "categories": [1]})
        assert caught.value.code == "clue_invalid" and "categories" in caught.value.message
        assert review.list_transfers(store) == []


def test_an_old_transferred_clue_becomes_a_forwarded_one_and_travels_up(chain, run_cli, tmp_path):
    """Before the split every county transfer was registered as 上级交办 (and ran the 3-month limit).
    After the upgrade such a clue is 上级转办; a clue typed in by hand as 上级交办 keeps its source."""
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({"received_on": date.today().isoformat(), "source": "信访举报（来信）",
                                "persons": [{"name": "赵德明", "unit": "青石镇农业服务中心"}],
                                "summary": "反映赵德明虚报冒领惠农补贴"}, ensure_ascii=False), encoding="utf-8")
    ok(run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue, "--json"))
    down = export(run_cli, chain.county, "T001", chain.stick)
    ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))
    by_hand = add_clue(run_cli, chain.township, tmp_path, clue_sources.ASSIGNED)
    with opened(chain.township) as store:
        with store.write() as s:  # what the app wrote before the split, through its own audited writes
            old = s.exec(select(Clue).where(Clue.transferred_from_office_id.is_not(None))).one()
            case = s.exec(select(Case).where(Case.clue_id == old.id)).one()
            state = case_codec.from_json(case.state)
            fields = {**state.fields, "intake_register.source": clue_sources.ASSIGNED}
            case.state = case_codec.to_json(replace(state, fields=fields))
            old.source = clue_sources.ASSIGNED
            s.add_all([old, case])
        with store.read() as s:
            before = s.get(Clue, old.id).version, s.get(Case, case.id).version
        assert legacy_sources.split_transferred(store) == 1
        assert legacy_sources.split_transferred(store) == 0  # nothing left to change
        shown = cases_service.show_case(store, case.id)
        with store.read() as s:
            after = s.get(Clue, old.id).version, s.get(Case, case.id).version
        kept = cases_service.show_case(store, by_hand["case_id"])
    assert shown["source"] == "上级转办" and shown["fields"]["intake_register.source"] == "上级转办"
    assert "assigned_case" not in deadlines(shown) and "register_passed_down" in deadlines(shown)
    assert after[0] > before[0] and after[1] > before[1]
    assert kept["source"] == "上级交办" and "assigned_case" in deadlines(kept)
    assert ok(run_cli("--data-dir", chain.township, "verify", "--json"))["audit_chain"] == "ok"
    # the next bundle carries the corrected source upward (the county never edits a township's rows)
    up = export(run_cli, chain.township, "C01", chain.stick)
    ok(run_cli("--data-dir", chain.county, "import", up["bundle"], "--json"))
    with opened(chain.county) as store:
        with store.read() as s:
            assert s.get(Clue, old.id).source == "上级转办"


def test_statistics_count_both_sources_as_handed_down():
    # the split must not change what the county counts as handed down (docs/STATISTICS.md `filings_self`)
    assert stats.FROM_ABOVE_SOURCES == {"上级转办", "上级交办"}


def test_opening_a_store_of_an_older_schema_re_sources_its_transferred_clues(tmp_path):
    """The re-sourcing runs when a store is upgraded: a store of schema 0005 with a clue a county had
    transferred (as the app then wrote it: 上级交办) opens with that clue as 上级转办."""
    data = tmp_path / "0005"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "0005", data)
    paths = store_paths(data)
    master = unlock.open_slots(paths, keyslots.account_slot_id("张书记"), b"fixture2026").opened.master
    engine = open_engine(paths.db, master)
    try:
        with engine.begin() as conn:
            own = json.loads(conn.execute(sa.text("SELECT value FROM setting WHERE key = 'office_id'")).scalar_one())
            case_id, clue_id, raw = conn.execute(sa.text('SELECT id, clue_id, state FROM "case" ORDER BY id')).first()
            state = json.loads(raw)
            state["fields"]["intake_register.source"] = clue_sources.ASSIGNED
            conn.execute(sa.text('UPDATE "case" SET state = :state WHERE id = :id'), {"state": json.dumps(state), "id": case_id})
            conn.execute(sa.text("UPDATE clue SET source = :source, transferred_from_office_id = :office WHERE id = :id"),
                         {"source": clue_sources.ASSIGNED, "office": own, "id": clue_id})
    finally:
        engine.dispose()
    store = unlock.unlock(paths, "张书记", "fixture2026").store
    try:
        shown = cases_service.show_case(store, case_id)
        assert status.verify(store).ok
    finally:
        store.close()
    assert shown["source"] == "上级转办" and shown["fields"]["intake_register.source"] == "上级转办"


def test_rules_that_do_not_know_the_split_keep_the_old_source():
    # a county's own older workflow.toml offers only 上级交办: a transfer is registered as before
    old_choices = ("信访举报（来信）", "上级交办", "自行发现")
    new_choices = (*old_choices, "上级转办")
    assert clue_sources.passed_down("转办", old_choices) == "上级交办"
    assert clue_sources.passed_down("转办", new_choices) == "上级转办"
    assert clue_sources.passed_down("交办", new_choices) == "上级交办"
