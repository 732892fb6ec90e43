"""处分备案季度汇总 through the CLI on a real store.

《中国共产党处分违纪党员批准权限和程序规定》第二十条第一款第五项、第二款: sanctions a 基层纪委 approved (警告、
严重警告, 第三十八条第一款) are filed with the 同级基层党委, "于每季度首月15日前，将上一季度…已作出党纪处分决定的案件汇总"；
第十九条: sanctions approved on request by the 党委 are reported once executed, in the same quarterly rhythm.
"""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from app.services.filing_summary import due_on

from tests.integration.test_case_paths import run_walk
from tests.integration.test_case_subjects import two_person_walk


def test_the_quarter_due_dates_are_the_15th_of_the_next_quarters_first_month():
    assert [due_on(2026, q) for q in (1, 2, 3, 4)] == [date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15),
                                                         date(2027, 1, 15)]


def test_the_commissions_own_warning_is_filed_and_the_committees_removal_reported(township, run_cli, tmp_path):
    walk = two_person_walk()
    walk.path("submit_county_review", "to_branch", "to_township_approval")
    walk.decide("approve", extra={"approver_body": "乡镇党委"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    decided = date.fromisoformat(next(x["decided_on"] for p in shown["subjects"] for x in p["sanctions"]))
    quarter = (decided.month - 1) // 3 + 1

    listed = run_cli("--data-dir", township, "filing-summary", "--year", str(decided.year), "--quarter", str(quarter),
                     "--json")
    assert listed.code == 0, listed.err
    assert [(r["name"], r["sanction"], r["approving_body"]) for r in listed.json["filed"]] == [
        ("钱桂兰", "警告", "乡镇纪委")]
    assert [(r["name"], r["sanction"], r["approving_body"]) for r in listed.json["reported"]] == [
        ("赵德明", "撤销党内职务", "乡镇党委")]
    assert listed.json["due_on"] == due_on(decided.year, quarter).isoformat()

    out = tmp_path / "备案汇总.xlsx"
    made = run_cli("--data-dir", township, "filing-summary", "--year", str(decided.year), "--quarter", str(quarter),
                   "--out", str(out), "--json")
    assert made.code == 0, made.err and (made.json["filed"], made.json["reported"]) == (1, 1)
    book = load_workbook(out)
    filed, reported = book["备案汇总"], book["执行情况汇总"]
    assert "第二十条第一款第五项" in filed["A2"].value and "第十九条" in reported["A2"].value
    assert [c.value for c in filed[5]][:4] == [1, "钱桂兰", "青石村民委员会村会计", "警告"]
    assert [c.value for c in reported[5]][1] == "赵德明"

    other = 1 if quarter != 1 else 2  # a quarter without sanctions says so, rather than an empty table
    empty = tmp_path / "空.xlsx"
    assert run_cli("--data-dir", township, "filing-summary", "--year", str(decided.year), "--quarter", str(other),
                   "--out", str(empty)).code == 0
    assert load_workbook(empty)["备案汇总"]["A5"].value == "本季度无此类处分。"
    bad = run_cli("--data-dir", township, "filing-summary", "--year", "1999", "--quarter", "1")
    assert bad.code == 2 and "年份" in bad.err
