"""Issue 19: the pure parts of a legacy import — the date forms offices write, the usual headers,
合计/blank rows, 单位及职务 split, and what a row's recorded outcome becomes in the shipped workflow."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain import legacy_outcome as outcome
from app.domain.ledger_headers import (
    LEDGER_FIELDS,
    ROSTER_FIELDS,
    guess_field,
    guess_mapping,
    is_blank_row,
    is_total_row,
    split_unit_post,
)
from app.domain.legacy_dates import LegacyDateError, read_date
from app.domain.workflow import CaseState
from app.services.ruleset import shipped_workflow

WORKFLOW = shipped_workflow(Path(__file__).resolve().parents[2] / "resources" / "rules" / "workflow.toml")


@pytest.mark.parametrize("value", ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", " 2026 年 3 月 5 日 ",
                                   "20260305", 46086, 46086.0, "46086", datetime(2026, 3, 5, 9, 30), date(2026, 3, 5),
                                   "2026-03-05 00:00:00"])
def test_dates_in_the_forms_offices_write(value):
    assert read_date(value) == date(2026, 3, 5)


@pytest.mark.parametrize("value", ["2026-02-30", "三月五日", "2026-3", "12", 3.5, True, "46086.5"])
def test_a_date_that_cannot_be_read_says_what_was_found(value):
    with pytest.raises(LegacyDateError) as refused:
        read_date(value)
    assert "日期" in refused.value.message


def test_usual_headers_find_their_fields_and_each_field_takes_one_column():
    assert guess_field("受理日期", LEDGER_FIELDS) == "received_on"
    assert guess_field("收件\n日期", LEDGER_FIELDS) == "received_on"
    assert guess_field("问题性质", LEDGER_FIELDS) == guess_field("主要问题", LEDGER_FIELDS) == "summary"
    assert guess_field("被反映人姓名", LEDGER_FIELDS) == "name"
    assert guess_field("经办人", LEDGER_FIELDS) == ""
    assert guess_mapping(["姓名", "被反映人", "备注"], LEDGER_FIELDS) == {"姓名": "name", "被反映人": "", "备注": "note"}
    assert guess_field("身份证号码", ROSTER_FIELDS) == "id_number"
    assert guess_field("村（社区）", ROSTER_FIELDS) == "unit"
    assert guess_field("任职时间", ROSTER_FIELDS) == "term"


def test_total_and_blank_rows():
    assert is_total_row(["合计", "12件", None]) and is_total_row([None, "小 计", 3])
    assert not is_total_row(["青石纪线〔2025〕1号", "2025-03-05", "合计金额"])
    assert is_blank_row([None, "", "  "]) and not is_blank_row([None, "王建国"])


@pytest.mark.parametrize("text, unit, post", [
    ("青石村党支部书记", "青石村", "党支部书记"), ("青石村 会计", "青石村", "会计"), ("白沙村村委会主任", "白沙村", "村委会主任"),
    ("青石镇财政所工作人员", "青石镇财政所", "工作人员"), ("长岭村", "长岭村", ""), ("", "", "")])
def test_unit_and_post_of_a_cell(text, unit, post):
    assert split_unit_post(text) == (unit, post)


def walked(**kwargs) -> outcome.Walked:
    record = outcome.LegacyRecord(received_on=date(2025, 3, 5), **kwargs)
    return outcome.walk(WORKFLOW, CaseState(step_id=WORKFLOW.initial_step, entered_on=record.received_on), record)


def test_an_open_row_enters_at_the_step_its_disposition_names():
    assert walked().state.step_id == "disposition"
    assert walked(disposition="初步核实").state.step_id == "prelim_verify"
    assert walked(disposition="谈话函询").state.step_id == "talk_inquiry"
    assert walked(disposition="暂存待查").state.step_id == "shelved"
    filed = walked(disposition="初核", filed_on=date(2025, 5, 6))
    assert filed.state.step_id == "investigation" and filed.state.events["filed"] == date(2025, 5, 6)


def test_a_concluded_row_is_archived_with_its_own_dates():
    closed = walked(disposition="谈话函询", result="予以了结", closed_on=date(2025, 7, 1))
    assert closed.state.step_id == "archived"
    assert [(h.decision_id, h.decided_on) for h in closed.decisions][:3] == [
        ("accept", date(2025, 3, 5)), ("to_talk", date(2025, 3, 5)), ("accept_closed", date(2025, 7, 1))]
    sanctioned = walked(filed_on=date(2025, 5, 6), closed_on=date(2025, 8, 1), sanctions=(("张三", "party_warning"),))
    assert ("township_approval", "approve", date(2025, 8, 1)) in [
        (h.step_id, h.decision_id, h.decided_on) for h in sanctioned.decisions]
    assert "intake_register" in sanctioned.passed and "archived" not in sanctioned.passed


def test_an_outcome_the_ledger_does_not_date_is_refused_naming_the_column():
    with pytest.raises(outcome.OutcomeUnclear) as refused:
        walked(disposition="初步核实", result="已办结")
    assert refused.value.column == "closed_on"
    with pytest.raises(outcome.OutcomeUnclear) as early:
        walked(filed_on=date(2025, 1, 1))
    assert early.value.column == "filed_on"


def test_sanctions_and_sources_as_ledgers_write_them():
    assert outcome.sanction_types("党内警告、政务记过") == ("party_warning", "gov_demerit")
    assert outcome.sanction_types("严重警告") == ("party_serious_warning",)
    assert outcome.sanction_types("无") == ()
    with pytest.raises(outcome.OutcomeUnclear):
        outcome.sanction_types("罚款")

    choices = next(f for f in WORKFLOW.steps[WORKFLOW.initial_step].fields if f.id == "source").choices
    assert outcome.source_choice("来信", choices) == "信访举报（来信）"
    assert outcome.source_choice("12388网站", choices) == "信访举报（网络）"
    assert outcome.source_choice("县纪委转办", choices) == "上级转办"
    assert outcome.source_choice("上级交办", choices) == "上级交办"
    with pytest.raises(outcome.OutcomeUnclear):
        outcome.source_choice("", choices)


def test_a_space_next_to_a_single_character_is_inside_a_name():
    # nobody's name is one character: a ledger pads a two-character name to the width of three, or
    # sets a surname apart; a space between longer parts parts two names
    assert outcome.person_names("李  四") == ("李四",)
    assert outcome.person_names("李\u3000四、王五") == ("李四", "王五")
    assert outcome.person_names("张三 李四") == ("张三", "李四")
    assert outcome.person_names("李 四 王五/赵六，李四") == ("李四", "王五", "赵六")
    assert outcome.person_names("王 小明") == ("王小明",)
    assert outcome.person_names("王五 李 小明") == ("王五", "李小明")
    assert outcome.person_names("司马 光") == ("司马光",)
    assert outcome.sanctions_of("王 小明：诫勉", ("王小明",)) == (("王小明", "form1_admonish"),)
    assert outcome.sanctions_of("李 四：党内警告", ("李四",)) == (("李四", "party_warning"),)
    assert outcome.sanctions_of("李\u3000四党内警告、王五记过", ("李四", "王五")) == (("李四", "party_warning"), ("王五", "gov_demerit"))
    assert outcome.sanctions_of("党内警告 政务记过", ("李四",)) == (("李四", "party_warning"), ("李四", "gov_demerit"))


def test_each_sanction_goes_to_the_person_the_cell_names():
    # a sanction counts against its person in every later 影响期 ([T] 第二十一条 accumulation) and in
    # the 处分 statistics: with several persons on one row, the cell has to say whose each is
    one = ("张三",)
    assert outcome.sanctions_of("党内警告、政务记过", one) == (("张三", "party_warning"), ("张三", "gov_demerit"))
    assert outcome.sanctions_of("张三：党内警告", one) == (("张三", "party_warning"),)
    with pytest.raises(outcome.OutcomeUnclear) as other:
        outcome.sanctions_of("李四：党内警告", one)  # the cell speaks of someone not on the row
    assert "李四" in other.value.message
    two = ("张三", "李四")
    assert outcome.sanctions_of("张三：党内警告；李四：政务记过", two) == (("张三", "party_warning"), ("李四", "gov_demerit"))
    assert outcome.sanctions_of("张三党内警告、李四记过", two) == (("张三", "party_warning"), ("李四", "gov_demerit"))
    assert outcome.sanctions_of("张三、李四：通报", two) == (("张三", "form1_circular"), ("李四", "form1_circular"))
    assert outcome.sanctions_of("李四：严重警告、政务撤职", two) == (("李四", "party_serious_warning"), ("李四", "gov_dismissal"))
    assert outcome.sanctions_of("无", two) == ()
    # "无" for one of them is none for that person, not the other's sanction as well
    assert outcome.sanctions_of("张三党内警告，李四无", two) == (("张三", "party_warning"),)
    assert outcome.sanctions_of("张三：党内警告、李四：无", two) == (("张三", "party_warning"),)
    # a name inside another name on the row (张三, 张三丰) is not that person
    kin = ("张三", "张三丰")
    assert outcome.sanctions_of("张三丰：党内警告；张三：政务记过", kin) == (("张三丰", "party_warning"), ("张三", "gov_demerit"))
    assert outcome.sanctions_of("张三丰党内警告、张三政务记过", kin) == (("张三丰", "party_warning"), ("张三", "gov_demerit"))
    with pytest.raises(outcome.OutcomeUnclear) as unclear:
        outcome.sanctions_of("党内警告", two)
    assert unclear.value.column == "sanction" and "张三、李四" in unclear.value.message
    with pytest.raises(outcome.OutcomeUnclear):
        outcome.sanctions_of("张三：罚款", two)
