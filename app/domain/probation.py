"""The 留党察看期 of one sanction and the decision that ends it ([T] 12, [P] 21).

The 察看期 runs from the decision for the type's `probation_months`. At its end the member's rights
are restored (确有悔改表现), or a 留党察看一年 is extended once by a year (仍不符合恢复党员权利条件, at
most two years in all), or the member is expelled (坚持不改); a new violation found during the
察看期 leads to 开除党籍 at any time. Until one of these is decided the member stays on probation,
so an overdue 察看期 keeps reminding the office instead of lapsing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.deadlines import add_months
from app.domain.sanctions import SanctionType

RESTORE = "恢复党员权利"
EXTEND = "延长一年留党察看期限"
EXPEL = "开除党籍"
OUTCOMES = (RESTORE, EXTEND, EXPEL)
EXTENSION_MONTHS = 12  # [T] 12 ¶1: 应当延长一年留党察看期限
MAX_MONTHS = 24  # [T] 12 ¶1: 留党察看期限最长不得超过二年
# who decides each outcome for a township, as the guidance names it
DECIDING_BODY = {
    RESTORE: "支部党员大会讨论形成决议，经基层党委审议后报批；乡镇党委批准的留党察看，由乡镇党委批准恢复党员权利"
             "（《中国共产党处分违纪党员批准权限和程序规定》第二十一条第一款）",
    EXTEND: "经报原作出党纪处分决定的党组织批准（《中国共产党处分违纪党员批准权限和程序规定》第二十一条第二款）",
    EXPEL: "由有监督执纪权限的纪律检查机关履行处分审批程序，开除党籍须经县级以上纪委审查批准"
           "（《中国共产党处分违纪党员批准权限和程序规定》第二十一条第三款、第十四条第二款）",
}


@dataclass(frozen=True)
class ProbationAct:
    outcome: str
    decided_on: date
    body: str  # the organisation that decided or approved it
    document_no: str = ""
    branch_meeting_on: date | None = None  # 支部党员大会 resolution ([P] 21 ¶1)
    case_id: str = ""  # set when a later case's 开除党籍 ended the probation

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "decided_on": self.decided_on.isoformat(), "body": self.body,
                "document_no": self.document_no,
                "branch_meeting_on": self.branch_meeting_on.isoformat() if self.branch_meeting_on else None,
                "case_id": self.case_id}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ProbationAct:
        meeting = raw.get("branch_meeting_on")
        return cls(raw["outcome"], date.fromisoformat(raw["decided_on"]), raw.get("body", ""),
                   raw.get("document_no", ""), date.fromisoformat(meeting) if meeting else None, raw.get("case_id", ""))


@dataclass(frozen=True)
class Probation:
    sanction: SanctionType
    decided_on: date
    acts: tuple[ProbationAct, ...] = ()

    @property
    def extended(self) -> bool:
        return any(a.outcome == EXTEND for a in self.acts)

    @property
    def months(self) -> int:
        return self.sanction.probation_months + (EXTENSION_MONTHS if self.extended else 0)

    @property
    def until(self) -> date:
        """The last day of the 察看期 (the start day not counted, as for effect periods)."""
        return add_months(self.decided_on, self.months)

    @property
    def ended_by(self) -> ProbationAct | None:
        return next((a for a in self.acts if a.outcome in (RESTORE, EXPEL)), None)

    def on_probation(self, on: date) -> bool:
        """Whether the member is on probation on `on`: from the decision until rights are restored or
        the member is expelled."""
        return self.decided_on <= on and self.ended_by is None

    def effect_end(self, original_end: date) -> date:
        """The effect period after the acts: an extension adds its year; restoration is followed by the
        type's years without an equal or higher post counted from the restoration ([T] 12 ¶3); 开除党籍
        ends it (the expulsion is a sanction of its own)."""
        ended = self.ended_by
        if ended is not None and ended.outcome == EXPEL:
            return ended.decided_on
        if ended is not None:
            return add_months(ended.decided_on, self.sanction.effect_months - self.sanction.probation_months)
        return add_months(original_end, EXTENSION_MONTHS) if self.extended else original_end


def act_problems(probation: Probation, act: ProbationAct, today: date) -> list[str]:
    """Why `act` cannot be decided now; empty when it can."""
    problems = []
    ended = probation.ended_by
    if ended is not None:
        problems.append(f"已于{ended.decided_on.isoformat()}作出{ended.outcome}的决定，留党察看已经结束")
    if act.outcome not in OUTCOMES:
        problems.append(f"察看期满的处理只能是：{'、'.join(OUTCOMES)}；“{act.outcome}”不在其中")
        return problems
    if act.decided_on > today:
        problems.append(f"决定日期不能晚于今天（{today.isoformat()}）")
    if act.decided_on < probation.decided_on:
        problems.append(f"决定日期不能早于留党察看处分决定日期（{probation.decided_on.isoformat()}）")
    if act.outcome in (RESTORE, EXTEND) and act.decided_on < probation.until:
        problems.append(f"察看期至{probation.until.isoformat()}届满，期满后才能作出“{act.outcome}”的决定"
                        "（《中国共产党纪律处分条例》第十二条）")
    if act.outcome == EXTEND:
        if probation.extended:
            problems.append("察看期已经延长过一年，留党察看期限最长不得超过二年（《中国共产党纪律处分条例》第十二条第一款）")
        elif probation.sanction.probation_months + EXTENSION_MONTHS > MAX_MONTHS:
            problems.append(f"只有受到留党察看一年处分的，期满后才能延长一年；“{probation.sanction.name}”不能延长"
                            "（《中国共产党纪律处分条例》第十二条第一款，《中国共产党处分违纪党员批准权限和程序规定》第二十一条第二款）")
    if act.outcome == RESTORE and act.branch_meeting_on is None:
        problems.append("恢复党员权利须先由所在党支部党员大会讨论形成决议，请填写支部党员大会日期"
                        "（《中国共产党处分违纪党员批准权限和程序规定》第二十一条第一款）")
    if act.branch_meeting_on is not None and not probation.decided_on <= act.branch_meeting_on <= act.decided_on:
        problems.append("支部党员大会日期应在留党察看处分决定之后、本决定之前")
    if not act.body.strip():
        problems.append(f"请填写作出或批准决定的党组织：{DECIDING_BODY[act.outcome]}")
    return problems


def probation_of(sanction: SanctionType, decided_on: date, raw_acts: Sequence[Mapping[str, Any]]) -> Probation:
    return Probation(sanction, decided_on, tuple(ProbationAct.from_json(a) for a in raw_acts))
