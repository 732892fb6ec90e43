"""Conditions of the rules files (`applies_if`, `required_if`): `all` and `not` besides the single kinds,
so the 实名举报 deadlines can leave out forwarded clues and repeat complaints
(《纪检监察机关处理检举控告工作规则》第二十六条: 对属于本机关受理的实名检举控告…重复检举控告的，不再告知)."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.domain.rules import parse_workflow
from app.domain.workflow import evaluate, initial_state

from tests.unit.shipped_rules import CAL, CATALOG

ROOT = Path(__file__).resolve().parents[2]
DATA = tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8"))
RECEIVED = date(2026, 3, 2)


def problems_of(data: dict) -> list[str]:
    with pytest.raises(DomainError) as caught:
        parse_workflow(data, "workflow.toml")
    return [p["problem"] for p in caught.value.detail["problems"]]


def with_condition(condition) -> dict:
    data = copy.deepcopy(DATA)
    data["deadlines"]["acceptance_notice"]["applies_if"] = condition
    return data


def test_the_shipped_reporter_deadlines_use_all_and_not():
    wf = parse_workflow(DATA, "workflow.toml")
    cond = wf.deadline("acceptance_notice").applies_if
    assert [bool(part.negated) for part in cond.all_of] == [False, True, True]
    assert cond.all_of[2].negated.event == "forward_decided"


@pytest.mark.parametrize("condition, words", [
    ({"all": [{"event": "forward_decided"}]}, "至少含两个条件"),
    ({"all": "forward_decided"}, "至少含两个条件"),
    ({"not": {"event": "no_such_event"}}, "没有任何决定或日期字段会设置"),
    ({"all": [{"event": "forward_decided"}, {"not": {"field": "intake_register.source", "equals": "上级调办"}}]},
     "不在字段“intake_register.source”的选项中"),
    ({"not": {"event": "forward_decided"}, "event": "forward_decided"}, "之一"),
    ({"all": [{"event": "forward_decided"}, {"nto": {"event": "forward_decided"}}]}, "未知的键"),
])
def test_a_bad_condition_is_refused_with_its_place(condition, words):
    found = problems_of(with_condition(condition))
    assert any(words in p for p in found), found


def test_all_and_not_decide_whether_a_deadline_runs():
    wf = parse_workflow(DATA, "workflow.toml")

    def running(**fields) -> set[str]:
        state = initial_state(wf, RECEIVED, {"source": "信访举报（来信）", "persons": [{"name": "王某某"}],
                                             "summary": "反映问题", **fields})
        return {d.id for d in evaluate(wf, state, today=RECEIVED, cal=CAL, sanctions_catalog=CATALOG).deadlines}

    assert "acceptance_notice" in running(reporter_real_name=True)
    assert "acceptance_notice" not in running(reporter_real_name=False)
    # 重复检举控告的，不再告知 ([J] 第二十六条)
    assert "acceptance_notice" not in running(reporter_real_name=True, repeat_complaint=True, repeat_of=["青石纪线〔2026〕1号"])
    assert "acceptance_notice" in running(reporter_real_name=True, repeat_complaint=False)
