"""指定办理 (指定/交叉办理) through the downward bundles, on real stores and real bundles.

- 《中国共产党纪律检查机关监督执纪工作规则》第九条: 上级纪检监察机关有权指定下级纪检监察机关对其他下级纪检监察机关
  管辖的党组织和党员、干部以及监察对象涉嫌违纪或者职务违法、职务犯罪问题进行审查调查。
- 《监察法实施条例》(2021) 第四十八条第三款: 上级监察机关对于下级监察机关管辖的…案件…认为由其他下级监察机关管辖
  更为适宜的，可以依法指定给其他下级监察机关管辖（管辖有争议的；指定管辖有利于案件公正处理的；下级监察机关报请
  指定管辖的；其他有必要指定管辖的）。第四款: 被指定的下级监察机关未经指定管辖的监察机关批准，不得将案件再行指定
  管辖…应当及时向指定管辖的监察机关请示报告。
- 《纪检监察机关处理检举控告工作规则》第二十一条: 下级纪检监察机关接到交办的检举控告后，一般应当在3个月内办结，
  并报送核查处理情况 — the township handles a designated clue as a 交办.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain import clue_sources
from app.errors import InputError
from app.services import review
from tests.integration.test_sync_roundtrip import chain, export, ok, opened, pair  # noqa: F401 (chain: fixture)

REASON = "被反映人系白沙镇党委委员，为利于公正处理，指定青石镇纪委办理"


def clue_file(tmp_path) -> str:
    path = tmp_path / "clue.json"
    path.write_text(json.dumps({"received_on": date.today().isoformat(), "source": "信访举报（来信）",
                                "persons": [{"name": "钱立新", "unit": "白沙镇人民政府", "post": "副镇长"}],
                                "summary": "反映钱立新违规收受礼金"}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_designated_clue_is_registered_as_an_assignment_with_its_3_months_and_report(chain, run_cli, tmp_path):
    # [R] 第九条, [S] 第四十八条第三款: the county designates T001 for a matter another township would have
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    made = ok(run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue_file(tmp_path),
                      "--mode", "指定办理", "--note", REASON, "--json"))
    assert made["mode"] == "指定办理"
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("上级交办（指定办理）" in e and "3个月内办结并报告" in e for e in taken["effects"]), taken["effects"]
    rows = ok(run_cli("--data-dir", chain.township, "case", "list", "--json"))
    assert len(rows) == 1 and rows[0]["source"] == clue_sources.ASSIGNED
    shown = ok(run_cli("--data-dir", chain.township, "case", "show", rows[0]["case_id"], "--json"))
    # [J] 第二十一条: 3 months from receipt, as for any 交办; the 5-day 转送 rule ([J] 第十六条第二款) does not apply
    ids = {d["id"]: d for d in shown["deadlines"]}
    assert ids["assigned_case"]["start"] == date.today().isoformat() and "register_passed_down" not in ids
    instruction = shown["fields"]["intake_register.leader_instruction"]
    # the designation, its reason and [S] 第四十八条第四款's limits are what the township reads
    assert instruction.startswith("上级指定办理：") and REASON in instruction and "不得再行指定" in instruction
    assert shown["fields"]["intake_register.incoming_no"] == made["clue_number"]
    # the case comes back up: the county sees which case its designation became
    up = export(run_cli, chain.township, "C01", chain.stick)
    ok(run_cli("--data-dir", chain.county, "import", up["bundle"], "--json"))
    listed = ok(run_cli("--data-dir", chain.county, "transfer", "list", "--json"))
    assert (listed[0]["mode"], listed[0]["township_case"]) == ("指定办理", rows[0]["number"])


def test_a_designation_without_its_reason_is_refused_and_registers_nothing(chain, run_cli, tmp_path):
    # [S] 第四十八条第三款 names the grounds for 指定管辖: the county's decision says which one
    refused = run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue_file(tmp_path),
                      "--mode", "指定办理")
    assert refused.code == 2 and "指定理由" in refused.err
    with opened(chain.county) as store:
        with pytest.raises(InputError) as caught:
            review.add_transfer(store, "T001", {"persons": [{"name": "钱立新"}], "summary": "x"}, "  ", mode="指定办理")
        assert caught.value.code == "designation_reason_missing"
        assert review.list_transfers(store) == []


def test_a_plain_transfer_and_an_assignment_keep_their_instruction_as_written():
    # only a designation adds the 指定 wording; 转办 and 交办 carry the county's note unchanged
    assert clue_sources.instruction("交办", "请于三个月内办结") == "请于三个月内办结"
    assert clue_sources.instruction("转办", "") == ""
    assert clue_sources.passed_down("指定办理", ("上级转办", "上级交办")) == clue_sources.ASSIGNED


# --- 提级办理 -------------------------------------------------------------------------------
# [R] 第九条: 上级纪检监察机关……必要时也可以直接进行审查调查.
# [S] 第四十七条第一款: 上级监察机关对于下一级监察机关管辖范围内的职务违法和职务犯罪案件，具有下列情形之一的，
#     可以依法提级管辖：（一）在本辖区有重大影响的；（二）涉及多个下级监察机关管辖的监察对象，调查难度大的；
#     （三）其他需要提级管辖的重大、复杂案件。

def township_case_seen_by_the_county(chain, run_cli, tmp_path) -> str:
    clue = tmp_path / "own.json"
    # typed in as 上级交办 so that a deadline runs ([J] 第二十一条, 3 months) until the take-over stops it
    clue.write_text(json.dumps({"received_on": date.today().isoformat(), "source": "上级交办",
                                "persons": [{"name": "孙国强", "unit": "青石镇石桥村", "post": "村委会主任"}],
                                "summary": "反映孙国强侵占集体资金"}, ensure_ascii=False), encoding="utf-8")
    case_id = ok(run_cli("--data-dir", chain.township, "clue", "add", "--file", clue, "--json"))["case_id"]
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")  # the first upward bundle carries it
    return case_id


def test_the_county_takes_over_a_township_case_which_ends_there_with_its_decision(chain, run_cli, tmp_path):
    case_id = township_case_seen_by_the_county(chain, run_cli, tmp_path)
    before = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))
    assert any(d["id"] == "assigned_case" and not d.get("met_on") for d in before["deadlines"]), before["deadlines"]
    missing = run_cli("--data-dir", chain.county, "transfer", "take-over", case_id, "--number", "青山纪提〔2026〕1号",
                      "--date", date.today().isoformat(), "--reason", " ")
    assert missing.code == 2 and "提级理由" in missing.err
    made = ok(run_cli("--data-dir", chain.county, "transfer", "take-over", case_id, "--number", "青山纪提〔2026〕1号",
                      "--date", date.today().isoformat(), "--reason", "涉及多个乡镇的监察对象，调查难度大", "--json"))
    assert made["kind"] == "take_over"
    twice = run_cli("--data-dir", chain.county, "transfer", "take-over", case_id, "--number", "青山纪提〔2026〕2号",
                    "--date", date.today().isoformat(), "--reason", "重复")
    assert twice.code == 2 and "不能重复录入" in twice.err
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("青山纪提〔2026〕1号" in e and "已提级由县纪委办理" in e for e in taken["effects"]), taken["effects"]
    after = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))
    assert after["step"]["id"] == "taken_over" and after["terminal"]
    assert after["fields"]["taken_over.decision_no"] == "青山纪提〔2026〕1号"
    assert after["fields"]["taken_over.decision_date"] == date.today().isoformat()
    # nothing else of the case changed: its registration fields are as they were
    assert {k: v for k, v in after["fields"].items() if not k.startswith("taken_over.")} == before["fields"]
    # its deadlines stop: none is running any more
    assert all(d.get("met_on") for d in after["deadlines"]), after["deadlines"]
    listed = {r["case_id"]: r for r in ok(run_cli("--data-dir", chain.township, "case", "list", "--json"))}
    assert listed[case_id]["step"] == "taken_over" and not listed[case_id].get("next_due")
    # a repeated bundle does nothing more
    again = export(run_cli, chain.county, "T001", chain.stick, "--full")
    repeated = ok(run_cli("--data-dir", chain.township, "import", again["bundle"], "--json"))[0]
    assert not any("提级" in e for e in repeated["effects"]), repeated["effects"]


def test_a_take_over_of_a_case_not_below_the_county_is_refused(chain, run_cli):
    with opened(chain.county) as store:
        with pytest.raises(InputError) as caught:
            review.record_take_over(store, "0" * 32, "青山纪提〔2026〕3号", date.today(), "重大影响")
        assert caught.value.code == "no_case"


def test_a_take_over_from_an_office_not_its_parent_or_for_a_case_it_does_not_own_is_not_carried_out(
        chain, run_cli, tmp_path):
    from sqlmodel import select

    from app.models import Case, Clue, Office, ReviewOpinion

    case_id = township_case_seen_by_the_county(chain, run_cli, tmp_path)
    with opened(chain.township) as store:
        with store.write() as s:
            county = s.exec(select(Office).where(Office.code == "C01")).one()
            other = Office(id="c02" + "0" * 29, owner_office_id="c02" + "0" * 29, code="C02", name="白云县纪委",
                           level="county", parent_code="S01")
            s.add(other)
            s.flush()
            # as if taken from a bundle: a decision of another county (not this township's parent) about its own
            # case, and one of its county about a case the county owns in this store
            foreign_clue = Clue(owner_office_id=county.id, number="青山纪线〔2026〕9号", received_on=date.today(),
                                source="信访举报（来信）")
            s.add(foreign_clue)
            s.flush()
            foreign_case = Case(owner_office_id=county.id, clue_id=foreign_clue.id, stage="intake",
                                step_id="intake_register", step_entered_on=date.today())
            s.add(foreign_case)
            s.flush()
            s.add(ReviewOpinion(owner_office_id=other.id, case_id=case_id, kind="take_over", number="白云纪提〔2026〕1号",
                                issued_on=date.today(), text="x"))
            s.add(ReviewOpinion(owner_office_id=county.id, case_id=foreign_case.id, kind="take_over",
                                number="青山纪提〔2026〕5号", issued_on=date.today(), text="x"))
        effects = review.after_import(store)
    assert any("白云纪提〔2026〕1号" in e and "不是本单位的上级纪委" in e for e in effects), effects
    assert any("青山纪提〔2026〕5号" in e and "不是本单位的案件" in e for e in effects), effects
    shown = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))
    assert shown["step"]["id"] == "intake_register"  # the case goes on as before
