"""`at_registration`: the one intake decision a clue may take when registered, without its content — the
转送登记 of a complaint a higher office accepts (《纪检监察机关处理检举控告工作规则》第十五条第二款:
不得复制、摘抄检举控告内容)."""

from __future__ import annotations

import copy
import tomllib
from datetime import date

import pytest

from app.domain.errors import DomainError
from app.domain.rules import RulesError, parse_workflow
from app.domain.workflow import initial_state

from tests.unit.shipped_rules import ROOT, WF

RAW = tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8"))
RECEIVED = date(2026, 6, 1)


def decision(data: dict, step: str, decision_id: str) -> dict:
    return next(d for d in data["steps"][step]["decisions"] if d["id"] == decision_id)


def test_a_forward_register_starts_at_the_forwarding_step_with_the_intake_decided_on_receipt():
    state = initial_state(WF, RECEIVED, {"source": "信访举报（来信）"}, decision_id="forward_up")
    assert state.step_id == "forward_upward" and state.entered_on == RECEIVED
    assert [(h.step_id, h.decision_id, h.decided_on) for h in state.history] == [("intake_register", "forward_up", RECEIVED)]
    # the 5 working days of 第十五条第一款 run from receipt: forward_decided makes the deadline apply
    assert state.events["forward_decided"] == RECEIVED and state.events["clue_received"] == RECEIVED
    assert dict(state.fields) == {"intake_register.source": "信访举报（来信）"}


def test_only_an_at_registration_decision_may_be_taken_at_registration():
    with pytest.raises(DomainError) as err:
        initial_state(WF, RECEIVED, {"source": "信访举报（来信）"}, decision_id="accept")
    assert err.value.code == "clue_invalid" and "accept" in err.value.message


@pytest.mark.parametrize("edit", [
    lambda d: decision(d, "disposition", "to_close").__setitem__("at_registration", True),  # not the initial step
    lambda d: decision(d, "intake_register", "forward_up").update(requires=["approval"], approver_role="乡镇纪委书记",
                                                                  at_registration=True),
    lambda d: decision(d, "intake_register", "forward_up").__setitem__("at_registration", "yes"),
])
def test_a_rules_file_misusing_at_registration_is_refused(edit):
    data = copy.deepcopy(RAW)
    edit(data)
    with pytest.raises(RulesError) as err:
        parse_workflow(data, "workflow.toml")
    assert "at_registration" in str(err.value)
