"""重复检举控告情况通报 through the CLI on a real store.

《纪检监察机关处理检举控告工作规则》第十四条第一款: …对于重复检举控告，按规定登记后留存备查，并定期向有关部门通报情况。
"""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from tests.integration.test_repeat_complaints import AGAIN, FIRST, add, ok

LATER = {**FIRST, "received_on": "2026-05-06", "summary": "第三次反映王建国在低保评定中优亲厚友"}


def test_the_periods_repeat_complaints_are_listed_with_their_original_clues(township, run_cli, tmp_path):
    first = ok(add(run_cli, township, tmp_path, FIRST))  # 2026-02-02, the original: not a repeat itself
    again = ok(add(run_cli, township, tmp_path, {**AGAIN, "repeat_of": [first["number"]]}, "again.json"))
    later = ok(add(run_cli, township, tmp_path, {**LATER, "repeat_of": [first["number"], again["number"]]}, "later.json"))

    year = ok(run_cli("--data-dir", township, "repeat-report", "--year", "2026", "--json"))
    assert year["count"] == 2 and [r["clue_number"] for r in year["rows"]] == [again["number"], later["number"]]
    row = year["rows"][0]
    assert row["received_on"] == "2026-02-20" and row["summary"] == AGAIN["summary"]
    assert [(o["clue_number"], o["received_on"]) for o in row["originals"]] == [(first["number"], "2026-02-02")]
    assert row["originals"][0]["status"]  # the original case's current step, by its title
    assert [o["clue_number"] for o in year["rows"][1]["originals"]] == [first["number"], again["number"]]

    first_quarter = ok(run_cli("--data-dir", township, "repeat-report", "--year", "2026", "--quarter", "1", "--json"))
    assert [r["clue_number"] for r in first_quarter["rows"]] == [again["number"]]  # 2026-05-06 is in the second

    out = tmp_path / "重复件通报.xlsx"
    made = ok(run_cli("--data-dir", township, "repeat-report", "--year", "2026", "--quarter", "2", "--out", str(out),
                      "--json"))
    assert made["rows"] == 1
    sheet = load_workbook(out)["重复件通报"]
    assert "第十四条第一款" in sheet["A2"].value and "共1件" in sheet["A2"].value
    cells = [c.value for c in sheet[5]]
    assert cells[0] == 1 and cells[1].date() == date(2026, 5, 6) and cells[2] == later["number"]
    assert cells[6] == f"{first['number']}、{again['number']}"

    empty = tmp_path / "空.xlsx"
    assert ok(run_cli("--data-dir", township, "repeat-report", "--year", "2026", "--quarter", "4", "--out", str(empty),
                      "--json"))["rows"] == 0
    assert load_workbook(empty)["重复件通报"]["A5"].value == "本期间无重复检举控告。"


def test_a_bad_period_is_refused_in_chinese(township, run_cli):
    bad = run_cli("--data-dir", township, "repeat-report", "--year", "1999")
    assert bad.code == 2 and "年份" in bad.err
    wrong = run_cli("--data-dir", township, "repeat-report", "--year", "2026", "--out", "通报.docx")
    assert wrong.code == 2
