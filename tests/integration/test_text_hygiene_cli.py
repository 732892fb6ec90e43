"""Issue 19 point 10, the three failures it names, reproduced through the real CLI on a real store:
a Word soft line break (\\x0b) in a clue summary made `ledger --year` fail for the whole year, a
5-million-character summary was accepted, and a name typed as U+202E + 国建王 showed as 王建国 in
documents while it was filed under 国建王 in the 廉政档案."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import select

from app.domain import text_hygiene as hygiene
from app.models import Clue, Office, Person, PracticeAttempt
from app.paths import store_paths
from app.services import unlock
from tests.integration.test_sync_roundtrip import ok, opened

RLO = "\u202e"


def clue_file(folder: Path, name: str = "王建国", summary: str = "反映王建国虚报冒领惠农补贴", **extra) -> Path:
    path = folder / f"clue_{len(list(folder.glob('clue_*.json')))}.json"
    data = {"received_on": "2026-03-02", "source": "信访举报（来信）",
            "persons": [{"name": name, "unit": "青石村", "post": "党支部书记"}], "summary": summary, **extra}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def ledger_cells(run_cli, township: Path, out: Path) -> list[tuple]:
    ok(run_cli("--data-dir", township, "ledger", "--year", "2026", "--out", out, "--json"))
    return list(load_workbook(out).active.iter_rows(min_row=2, values_only=True))


def test_a_soft_line_break_in_a_summary_no_longer_breaks_the_years_ledger(township, run_cli, tmp_path):
    ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, summary="第一段\x0b第二段"), "--json"))
    ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, name="李四"), "--json"))
    with opened(township) as store, store.read() as s:
        assert sorted(s.exec(select(Clue.summary)).all()) == sorted(["第一段\n第二段", "反映王建国虚报冒领惠农补贴"])
    rows = ledger_cells(run_cli, township, tmp_path / "台账.xlsx")
    assert len(rows) == 2 and "第一段\n第二段" in {cell for row in rows for cell in row}


def test_the_ledger_of_a_store_that_already_holds_a_soft_line_break_is_written(township, run_cli, tmp_path):
    ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path), "--json"))
    with opened(township) as store, store.write() as s:  # what a store kept before text hygiene existed
        s.exec(update(Clue).values(summary="旧数据\x0b软回车\x01"))
        s.exec(update(Person).values(unit="青石村\x0c委"))
    rows = ledger_cells(run_cli, township, tmp_path / "台账.xlsx")
    cells = {cell for row in rows for cell in row}
    assert "旧数据\n软回车" in cells and "青石村\n委" in cells


def test_a_five_million_character_summary_is_refused_and_nothing_is_kept(township, run_cli, tmp_path):
    refused = run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, summary="很" * 5_000_000), "--json")
    assert refused.code == 2
    assert "线索摘要" in refused.err and f"最多{hygiene.LONG.limit}个字" in refused.err
    assert ok(run_cli("--data-dir", township, "case", "list", "--json")) == []
    # a summary of a few thousand characters is what an office writes
    ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, summary="很" * 6000), "--json"))


def test_an_overlong_name_is_refused_with_its_field_and_limit(township, run_cli, tmp_path):
    refused = run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, name="王" * 51), "--json")
    assert refused.code == 2 and "姓名" in refused.err and f"最多{hygiene.NAME.limit}个字" in refused.err
    assert ok(run_cli("--data-dir", township, "case", "list", "--json")) == []


def test_a_right_to_left_override_in_a_name_is_filed_and_shown_as_typed(township, run_cli, tmp_path):
    first = ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, name=RLO + "国建王"), "--json"))
    shown = ok(run_cli("--data-dir", township, "case", "show", first["case_id"], "--json"))
    assert [p["name"] for p in shown["persons"]] == ["国建王"]
    # the same person typed plainly is the same archive entry, reported for the second time
    second = ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path, name="国建王"), "--json"))
    again = ok(run_cli("--data-dir", township, "case", "show", second["case_id"], "--json"))
    assert [(p["name"], p["flags"]) for p in again["persons"]] == [("国建王", ["repeat"])]
    with opened(township) as store, store.read() as s:
        assert s.exec(select(Person.name, Person.person_key)).all() == [("国建王", "国建王|青石村")]


def test_zero_width_characters_leave_an_id_number(township, run_cli, tmp_path):
    path = clue_file(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["persons"][0]["id_number"] = "\u200b3201\u200d0219\ufeff80010112\u20603X"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ok(run_cli("--data-dir", township, "clue", "add", "--file", path, "--json"))
    with opened(township) as store, store.read() as s:
        assert s.exec(select(Person.id_number)).all() == ["32010219800101123X"]


def test_step_fields_from_an_action_file_are_cleaned_and_limited(township, run_cli, tmp_path):
    case_id = ok(run_cli("--data-dir", township, "clue", "add", "--file", clue_file(tmp_path), "--json"))["case_id"]
    action = tmp_path / "action.json"

    def act(values: dict):
        action.write_text(json.dumps({"type": "set_fields", "values": values}, ensure_ascii=False), encoding="utf-8")
        return run_cli("--data-dir", township, "case", "act", case_id, "--file", action, "--json")

    ok(act({"incoming_no": RLO + "青信〔2026〕5号", "leader_instruction": "同意\x0b请核实"}))
    fields = ok(run_cli("--data-dir", township, "case", "show", case_id, "--json"))["fields"]
    assert fields["intake_register.incoming_no"] == "青信〔2026〕5号"
    assert fields["intake_register.leader_instruction"] == "同意\n请核实"
    refused = act({"incoming_no": "号" * (hygiene.NUMBER.limit + 1)})
    assert refused.code == 2 and "来文编号" in refused.err and f"最多{hygiene.NUMBER.limit}个字" in refused.err


def test_the_period_report_of_a_store_whose_office_name_holds_a_control_character_is_written(township, run_cli,
                                                                                              tmp_path):
    with opened(township) as store, store.write() as s:  # what a store kept before text hygiene existed
        s.exec(update(Office).values(name="青石镇\x0b纪委"))
    out = tmp_path / "报告.xlsx"
    ok(run_cli("--data-dir", township, "report", "--year", "2026", "--out", out, "--json"))
    assert "青石镇\n纪委纪检监察工作统计表" in {c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row}


def test_practice_results_of_a_store_holding_a_control_character_are_written(run_cli, tmp_path, monkeypatch):
    trainer_password = "peixun2026"
    monkeypatch.setenv("JIANTONG_PRACTICE_PASSWORD", trainer_password)
    data = tmp_path / "data"
    reference = run_cli("--data-dir", data, "practice", "reference", "real_name_talk_closed", "--json",
                        password=trainer_password)
    answers = tmp_path / "answers.json"
    answers.write_text(reference.out, encoding="utf-8")
    ok(run_cli("--data-dir", data, "practice", "run", "real_name_talk_closed", "--trainee", "甲学员", "--answers", answers,
               "--json", password=trainer_password))
    store = unlock.unlock(store_paths(data, practice=True), None, trainer_password).store
    try:
        with store.write() as s:  # what a store kept before text hygiene existed
            s.exec(update(PracticeAttempt).values(trainee="甲\x0b学员"))
    finally:
        store.close()
    out = tmp_path / "成绩.xlsx"
    ok(run_cli("--data-dir", data, "practice", "results", "--out", out, "--json", password=trainer_password))
    assert [r[0] for r in load_workbook(out)["成绩汇总"].iter_rows(min_row=2, values_only=True)] == ["甲\n学员"]
