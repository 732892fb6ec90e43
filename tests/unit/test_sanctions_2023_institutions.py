"""事业单位 sanctions by the person's category, 政务处分 periods that do not add up, 留党察看期 rules.

《事业单位工作人员处分规定》（人社部发〔2023〕58号，2023年11月6日起施行；article numbers 待核: the text
is not in the shared regulations folder): 管理人员 take 警告 6, 记过 12, 记大过 18, 降级 24, 撤职 24 months
and 开除; other staff 警告 6, 记过 12, 降低岗位等级 24 months and 开除.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from app.domain import probation
from app.domain.errors import DomainError
from app.domain.sanctions import SanctionRecord, effect_period, parse_sanctions
from app.domain.workflow import RecordSanction

from tests.unit.test_subject_gates import at_review, codes, two_person_case
CATALOG_FILE = Path(__file__).resolve().parents[2] / "resources" / "rules" / "sanctions.toml"
RAW = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
CAT = parse_sanctions(RAW, "sanctions.toml")
MANAGER, OTHER = "事业单位管理人员", "事业单位其他工作人员"


def offered(category: str) -> dict[str, int]:
    return {t.name: t.effect_months for t in CAT.of_kind("public_institution") if t.category_problem(category) is None}


def test_managers_take_the_six_kinds_and_other_staff_four():
    assert offered(MANAGER) == {"警告": 6, "记过": 12, "记大过": 18, "降级": 24, "撤职": 24, "开除": 0}
    assert offered(OTHER) == {"警告": 6, "记过": 12, "降低岗位等级": 24, "开除": 0}
    assert offered("乡镇干部") == offered("") == offered("事业单位人员") == {}  # the undivided category of older records
    for t in CAT.of_kind("public_institution"):
        assert "人社部发〔2023〕58号" in t.citation and "待核" in t.citation and "暂行规定" not in t.citation
        assert "按本地做法" in t.note


def test_a_category_that_does_not_fit_says_which_one_would():
    why = CAT.get("pi_downgrade").category_problem(MANAGER)
    assert "“降低岗位等级”只能给予人员类别为“事业单位其他工作人员”" in why and "人员类别为“事业单位管理人员”" in why
    assert "尚未填写人员类别" in CAT.get("pi_major_demerit").category_problem("")


def _broken(change) -> dict:
    data = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    change(data)
    return data


@pytest.mark.parametrize(("change", "says"), [
    (lambda d: d["types"][0].update(categories=["事业编"]), "categories 只能列人员类别"),
    (lambda d: d["types"][0].update(categories="事业单位管理人员"), "categories 应为数组"),
    (lambda d: d["types"][0].update(probation_months=12), "probation_months（察看期）只适用于党纪处分"),  # 警告: 12 of 12
    (lambda d: d.update(combined_max_months={"gov": 0}), "combined_max_months"),
    (lambda d: d.update(combined_max_months={"army": 48}), "combined_max_months"),
])
def test_bad_catalog_values_are_refused_with_the_reason(change, says):
    with pytest.raises(DomainError, match=says):
        parse_sanctions(_broken(change), "sanctions.toml")


def _record(type_id: str, decided: date) -> SanctionRecord:
    return SanctionRecord(type_id, decided, effect_period(CAT, type_id, decided, [])[1], "p")


def test_gov_is_not_an_accumulating_kind_by_default():
    # 政务处分法第十三条（一）: within the period a new violation is 从重, not added up; 第十五条: the heaviest
    assert CAT.accumulating_kinds == frozenset({"party"}) and CAT.combined_max_months == {"gov": 48}


def test_local_practice_adding_up_gov_periods_stops_at_48_months():
    # 政务处分法第十五条: 最长不得超过四十八个月
    local = parse_sanctions({**RAW, "accumulating_kinds": ["party", "gov"]}, "sanctions.toml")
    prior = [SanctionRecord("gov_dismissal", date(2025, 1, 15), date(2027, 1, 15), "p"),
             SanctionRecord("gov_demotion", date(2025, 2, 1), date(2029, 1, 15), "p")]
    assert effect_period(local, "gov_warning", date(2025, 3, 1), prior[:1])[1] == date(2027, 7, 15)
    assert effect_period(local, "gov_dismissal", date(2025, 3, 1), prior)[1] == date(2029, 3, 1)


def test_expulsion_during_a_probation_does_not_add_to_it():
    # 纪律处分条例第十二条第二款: 留党察看期间又发现违纪行为的，应当开除党籍 (not [T] 21's sum); 第十三条: 五年
    prior = [_record("party_probation_2y", date(2025, 3, 1))]
    assert effect_period(CAT, "party_expulsion", date(2025, 9, 1), prior)[1] == date(2030, 9, 1)
    # after a warning the sum of [T] 第二十一条 still applies to the expulsion as to any party sanction
    warned = [_record("party_warning", date(2025, 3, 1))]
    assert effect_period(CAT, "party_expulsion", date(2025, 9, 1), warned)[1] == date(2031, 3, 1)


def test_probation_months_are_configured_for_both_terms():
    assert (CAT.get("party_probation_1y").probation_months, CAT.get("party_probation_2y").probation_months) == (12, 24)


DECIDED = date(2025, 3, 1)


def act(outcome: str, on: date, **extra) -> probation.ProbationAct:
    return probation.ProbationAct(outcome, on, extra.pop("body", "青石镇党委"), **extra)


def test_only_a_one_year_probation_is_extended_and_only_once():
    """纪律处分条例第十二条第一款; 批准权限和程序规定第二十一条第二款 (受到留党察看处分一年的党员)."""
    one = probation.Probation(CAT.get("party_probation_1y"), DECIDED)
    assert one.until == date(2026, 3, 1)
    assert probation.act_problems(one, act(probation.EXTEND, date(2026, 3, 2)), date(2026, 4, 1)) == []
    extended = probation.Probation(one.sanction, DECIDED, (act(probation.EXTEND, date(2026, 3, 2)),))
    assert extended.until == date(2027, 3, 1) and extended.effect_end(date(2028, 3, 1)) == date(2029, 3, 1)
    [again] = probation.act_problems(extended, act(probation.EXTEND, date(2027, 3, 2)), date(2027, 4, 1))
    assert "最长不得超过二年" in again
    two = probation.Probation(CAT.get("party_probation_2y"), DECIDED)
    [refused] = probation.act_problems(two, act(probation.EXTEND, date(2027, 3, 2)), date(2027, 4, 1))
    assert "“留党察看二年”不能延长" in refused


def test_expulsion_may_come_before_the_end_restoration_may_not():
    one = probation.Probation(CAT.get("party_probation_1y"), DECIDED)
    assert probation.act_problems(one, act(probation.EXPEL, date(2025, 8, 1), body="县纪委"), date(2025, 9, 1)) == []
    early = probation.act_problems(one, act(probation.RESTORE, date(2025, 8, 1), branch_meeting_on=date(2025, 7, 30)),
                                   date(2025, 9, 1))
    assert early == ["察看期至2026-03-01届满，期满后才能作出“恢复党员权利”的决定（《中国共产党纪律处分条例》第十二条）"]
    [no_body] = probation.act_problems(one, act(probation.EXPEL, date(2025, 8, 1), body=" "), date(2025, 9, 1))
    assert "第十四条第二款" in no_body
    assert probation.act_problems(one, act("取消处分", date(2026, 3, 2)), date(2026, 4, 1))[0].startswith("察看期满的处理只能是")


def test_restoration_starts_the_two_years_without_an_equal_post():
    """纪律处分条例第十二条第三款: 恢复党员权利后二年内，不得在党内担任……与其原任职务相当或者高于其原任职务的职务."""
    late = date(2026, 5, 10)
    restored = probation.Probation(CAT.get("party_probation_1y"), DECIDED,
                                   (act(probation.RESTORE, late, branch_meeting_on=date(2026, 5, 1)),))
    assert restored.effect_end(date(2028, 3, 1)) == date(2028, 5, 10) and not restored.on_probation(late)


def test_one_gov_sanction_per_person_the_heaviest():
    """政务处分法第十五条: 应当给予两种以上政务处分的，执行其中最重的政务处分 — one per person and case."""
    case = at_review(two_person_case())
    case.ok(RecordSanction("gov_demerit", subject="s1"))
    refused = case.run(RecordSanction("gov_warning", subject="s1"))
    assert codes(refused) == {"gov_sanction_one_only"} and "第十五条" in refused.problems[0].message
    assert "请撤销“记过”后只录入最重的一种" in refused.problems[0].message
    case.ok(RecordSanction("gov_warning", subject="s2"))  # another person: a decision of their own
    case.ok(RecordSanction("party_warning", subject="s1"))  # the party track beside it
    case.ok(RecordSanction("gov_demerit", subject="s1", remove=True))
    case.ok(RecordSanction("gov_major_demerit", subject="s1"))
    assert [(x.subject, x.type_id) for x in case.state.sanctions] == [
        ("s2", "gov_warning"), ("s1", "party_warning"), ("s1", "gov_major_demerit")]
