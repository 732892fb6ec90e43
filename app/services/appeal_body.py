"""申诉的受理机关: the appeal is received by the body that approved or decided the appealed sanction.

《中国共产党纪律检查机关监督执纪工作规则》第五十九条第一款: 对不服处分决定的申诉，由批准或者决定处分的党委（党组）
或者纪检监察机关受理. 《中国共产党处分违纪党员批准权限和程序规定》第九条: 需要变更或者撤销的，由原批准处分决定的
党组织……审批. The appealed sanctions are the case's decided party sanctions (党纪处分、预备党员处理) at the
time the appeal was accepted; their body is the recorded `approving_body`, else 县纪委 on the 乡镇报批 route,
else the type's approver in sanctions.toml. A 政务处分 has no 申诉: 复审 by the 监察 organ that decided it
and 复核 by the one above ([M] 第五十六条, [Z] 第五十五条).
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.domain import workflow as engine
from app.domain.sanctions import PARTY_ROUTE_KINDS
from app.models import Sanction
from app.services import subjects
from app.services.ruleset import RuleSet

APPEAL_STEP = "appeal_review"
RECEIVING_BODY = "receiving_body"
ACCEPTED = "appeal_accepted"
ARTICLE = "《中国共产党纪律检查机关监督执纪工作规则》第五十九条第一款"
GOV_PATH = ("政务处分不适用申诉：对政务处分决定不服的，应向作出决定的监察机关申请复审，对复审决定仍不服的，"
            "向上一级监察机关申请复核（《中华人民共和国监察法》第五十六条，《中华人民共和国公职人员政务处分法》第五十五条），"
            "请选择“申请复审”。")


def appealed_bodies(s: Session, rules: RuleSet, case_id: str, state: engine.CaseState,
                    in_appeal: bool = True) -> tuple[set[str], bool]:
    """The bodies that approved the case's decided party sanctions, and whether a 政务处分 was decided."""
    accepted = state.events.get(ACCEPTED) if in_appeal else None  # not yet accepted: an earlier round's date
    rows = s.exec(select(Sanction).where(Sanction.case_id == case_id, Sanction.deleted == False,  # noqa: E712
                                         Sanction.decided_on.is_not(None))).all()
    bodies, gov = set(), False
    for row in rows:
        if accepted and row.decided_on > accepted:  # changed in the appeal itself: not what was appealed
            continue
        if row.kind == "gov":
            gov = True
        elif row.kind in PARTY_ROUTE_KINDS:
            bodies.add(subjects.approved_by(rules, row, state.history))
    return bodies, gov


def problem(s: Session, rules: RuleSet, case_id: str, state: engine.CaseState,
            decision_id: str) -> engine.Problem | None:
    """Why a decision on the appeal cannot be taken with the receiving body recorded (None when it can)."""
    step = rules.workflow.steps.get(state.step_id)
    rule = step.decision(decision_id) if step else None
    if rule is None:
        return None
    entering = rule.target == APPEAL_STEP and state.step_id != APPEAL_STEP
    if state.step_id != APPEAL_STEP and not entering:
        return None
    bodies, gov = appealed_bodies(s, rules, case_id, state, in_appeal=not entering)
    if not bodies:
        return engine.Problem("appeal_gov_sanction", GOV_PATH) if gov else None
    if entering:
        return None
    given = state.fields.get(f"{APPEAL_STEP}.{RECEIVING_BODY}")
    if not given or given in bodies:
        return None  # an empty field is the engine's own open item
    right = "或".join(sorted(bodies))
    return engine.Problem("appeal_wrong_body",
                          f"受理申诉的机关应是批准处分的{right}，不是{given}：对不服处分决定的申诉，由批准或者决定处分的"
                          f"党委（党组）或者纪检监察机关受理（{ARTICLE}）。", {"receiving_body": given, "bodies": sorted(bodies)})


def problems(s: Session, rules: RuleSet, case_id: str, state: engine.CaseState) -> dict[str, engine.Problem]:
    """The current step's decisions that `problem` blocks, by decision id (for the case view)."""
    step = rules.workflow.steps.get(state.step_id)
    return {d.id: p for d in (step.decisions if step else ()) if (p := problem(s, rules, case_id, state, d.id))}
