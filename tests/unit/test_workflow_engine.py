"""Walks the key paths of the shipped workflow through `apply`, checking the gates and deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain.errors import DomainError
from app.domain.rules import Field
from app.domain.workflow import (
    CaseState,
    CompleteItem,
    Decide,
    Extend,
    Outcome,
    RecordSanction,
    RecordStudy,
    SetFields,
    action_from_dict,
    apply,
    evaluate,
    initial_state,
    proposed_types,
)

from tests.unit.shipped_rules import CAL, CATALOG, WF

RECEIVED = date(2026, 3, 2)
CLUE = {
    "source": "信访举报（来信）",
    "reporter_real_name": False,
    "persons": [{"name": "王某某", "unit": "某某村委会", "post": "村委会主任"}],
    "summary": "反映王某某在低保评定中优亲厚友",
    "categories": ["违反群众纪律"],
}


def sample(field: Field, today: date):
    """A valid value for any field; bools default to False so no case is marked important by accident."""
    if field.id == "reviewers":  # 查审分离: never the investigators ([R] 第五十四条)
        return ["丙某", "丁某"]
    one = {
        "text": "甲某",
        "attachment": "att-1",
        "date": today.isoformat(),
        "choice": field.choices[0] if field.choices else None,
        "number": 1,
        "bool": False,
        "person": {"name": "李某"},
    }[field.type]
    return [one, "乙某"] if field.multiple and field.type == "text" else ([one] if field.multiple else one)


class Case:
    """A case moved along by actions dated `today`, which advances one day per decision."""

    def __init__(self, **clue):
        self.today = RECEIVED
        self.state = initial_state(WF, RECEIVED, {**CLUE, **clue})

    def view(self):
        return evaluate(WF, self.state, today=self.today, cal=CAL, sanctions_catalog=CATALOG)

    def run(self, action) -> Outcome:
        before = self.state
        outcome = apply(WF, self.state, action, today=self.today, cal=CAL, sanctions_catalog=CATALOG)
        if outcome.ok:
            self.state = outcome.state
        else:
            assert outcome.state is before
        return outcome

    def ok(self, action) -> Outcome:
        outcome = self.run(action)
        assert outcome.ok, [p.message for p in outcome.problems]
        return outcome

    def prepare(self, *, study: bool = True, **overrides):
        """Tick every checklist item, fill every field, add the step's documents, record a study."""
        step = WF.steps[self.state.step_id]
        for item in step.checklist:
            self.ok(CompleteItem(item.id))
        values = {f.id: sample(f, self.today) for f in step.fields}
        self.ok(SetFields({**values, **overrides}))
        self.state = replace(self.state, documents=self.state.documents | {d.template for d in step.documents})
        if study:
            self.ok(RecordStudy(self.today, ("张书记", "李副书记", "赵委员"), "同意"))

    def decide(self, decision_id: str, **kw) -> Outcome:
        self.today += timedelta(days=1)
        return self.run(Decide(decision_id, self.today, approver="张书记", **kw))

    def go(self, decision_id: str, **overrides):
        self.prepare(**overrides)
        outcome = self.decide(decision_id)
        assert outcome.ok, [p.message for p in outcome.problems]
        return outcome


def codes(outcome_or_option) -> set[str]:
    return {p.code for p in outcome_or_option.problems}


def option(case: Case, decision_id: str):
    return next(d for d in case.view().decisions if d.id == decision_id)


def to_step(case: Case, *path: str):
    for decision_id in path:
        case.go(decision_id)


INVESTIGATION = ("accept", "to_prelim", "propose_filing", "file")


# ---------------------------------------------------------------- paths


def test_direct_closure_runs_to_archive_and_ends():
    case = Case()
    to_step(case, "accept", "to_close", "to_archive", "archive")
    view = case.view()
    # only the appeals received after archiving ([R] 第五十九条) take an archived case up again
    assert view.terminal and view.step.id == "archived" and {"appeal", "gov_reexamine"} <= {d.id for d in view.decisions}
    assert all(view.step.decision(d.id).reopens for d in view.decisions)
    assert [s.title for s in view.stage_path] == ["线索受理", "线索处置", "办结归档"]
    refused = case.run(CompleteItem("anything"))
    assert codes(refused) == {"terminal_case"}
    assert codes(case.run(Decide("archive", case.today))) == {"terminal_case"}


def test_open_checklist_blocks_with_a_message_naming_the_items():
    case = Case()
    view = case.view()
    assert {r.kind for r in view.open_items} == {"checklist"}  # documents are listed, not gated, until they are generated
    refused = case.decide("accept")
    assert "checklist_open" in codes(refused)
    message = next(p.message for p in refused.problems if p.code == "checklist_open")
    assert message.startswith("还有 3 项必办事项未完成：") and "已编号登记进问题线索台账" in message
    assert case.state.step_id == "intake_register"


def test_talk_inquiry_accepted_and_closed():
    case = Case()
    to_step(case, "accept", "to_talk")
    assert case.view().step.id == "talk_inquiry"
    case.go("accept_closed")
    assert case.state.step_id == "close_feedback"
    assert case.state.events["case_closed"] == case.today
    assert [h.decision_id for h in case.state.history] == ["accept", "to_talk", "accept_closed"]


def test_talk_round_two_starts_empty_and_keeps_round_one():
    case = Case()
    to_step(case, "accept", "to_talk", "again")
    assert case.state.step_id == "talk_inquiry"
    assert case.view().round == 2
    assert "talk_inquiry@1.method" in case.state.fields
    assert not any(k.startswith("talk_inquiry.") for k in case.state.fields)
    assert case.state.checklist == frozenset()
    # Round one's study does not count for round two.
    case.prepare(study=False)
    assert "study_missing" in codes(option(case, "to_prelim"))


def test_talk_approval_needs_an_approver():
    case = Case()
    to_step(case, "accept", "to_talk")
    case.prepare()
    case.today += timedelta(days=1)
    refused = case.run(Decide("accept_closed", case.today, approver=" "))
    assert codes(refused) == {"approval_missing"}
    assert option(case, "accept_closed").approver_role == "乡镇纪委书记"


def test_filing_is_blocked_until_the_collective_study_is_recorded():
    case = Case()
    to_step(case, "accept", "to_prelim")
    case.prepare(study=False)
    assert any(r.kind == "study" for r in case.view().open_items)
    refused = case.decide("propose_filing")
    assert codes(refused) == {"study_missing"}
    case.ok(RecordStudy(case.today, ("张书记", "李副书记"), "拟立案"))
    assert codes(case.decide("propose_filing")) == {"study_attendees_too_few"}
    case.ok(RecordStudy(case.today, ("张书记", "李副书记", "赵委员"), "拟立案"))
    assert case.decide("propose_filing").ok
    assert case.state.step_id == "filing"


def test_investigation_with_one_investigator_is_blocked():
    case = Case()
    to_step(case, *INVESTIGATION)
    case.prepare(investigators=["孙某"])
    refused = case.decide("transfer_review")
    assert codes(refused) == {"investigators_too_few"}
    assert "至少应有 2 人" in refused.problems[0].message
    case.ok(SetFields({"investigators": ["孙某", "钱某"]}))
    assert case.decide("transfer_review").ok


def test_decision_specific_items_do_not_block_other_exits():
    case = Case()
    to_step(case, *INVESTIGATION)
    step = WF.steps["investigation"]
    for item in step.checklist:
        if item.required:
            case.ok(CompleteItem(item.id))
    case.ok(SetFields({"investigators": ["孙某", "钱某"], "announced_on": case.today.isoformat(), "revoke_reason": "查无实据"}))
    case.ok(RecordStudy(case.today, ("张书记", "李副书记", "赵委员"), "撤销"))
    assert case.view().open_items == ()
    assert not option(case, "transfer_review").enabled
    assert {"checklist_open", "field_missing"} <= codes(option(case, "transfer_review"))
    assert case.decide("revoke").ok
    assert case.state.step_id == "revoke_case"
    assert [s.id for s in case.view().stage_path][-1] == "revoke"


def _to_review(case: Case, **review_fields):
    to_step(case, *INVESTIGATION, "transfer_review", "accept")
    case.prepare(**review_fields)


def test_county_review_route_refuses_expulsion():
    case = Case()
    _to_review(case)
    assert codes(case.decide("submit_county_review")) == {"sanction_missing"}
    case.ok(RecordSanction("party_expulsion"))
    refused = case.decide("submit_county_review")
    assert codes(refused) == {"approval_power_exceeded"}
    assert "开除党籍" in refused.problems[0].message and "乡镇报批" in refused.problems[0].message
    assert case.decide("submit_county_consult").ok
    assert case.state.step_id == "county_consult"
    # Converting back to 乡案县审 is refused for the same reason.
    case.prepare(study=False)
    assert codes(case.decide("convert_to_county_review")) == {"approval_power_exceeded"}


def test_important_case_cannot_take_the_county_review_route():
    case = Case()
    _to_review(case, important_or_complex=True)
    case.ok(RecordSanction("party_warning"))
    refused = case.decide("submit_county_review")
    assert codes(refused) == {"approval_power_exceeded"}
    assert "重大复杂" in refused.problems[0].message


def test_county_opinion_must_be_entered_from_the_paper_document():
    case = Case()
    _to_review(case)
    case.ok(RecordSanction("party_warning"))
    assert case.decide("submit_county_review").ok
    case.prepare(study=False, county_opinion_no=None, county_opinion_date=None)
    refused = case.decide("to_branch")
    assert codes(refused) == {"county_opinion_missing"}
    case.ok(SetFields({"county_opinion_no": "X纪审〔2026〕3号", "county_opinion_date": case.today.isoformat()}))
    assert case.decide("to_branch").ok


def _to_branch_meeting(case: Case, sanction: str = "party_warning"):
    _to_review(case)
    case.ok(RecordSanction(sanction))
    case.go("submit_county_review")
    case.go("to_branch")


def test_branch_vote_needs_a_majority_of_all_eligible_members():
    case = Case()
    _to_branch_meeting(case)
    case.prepare(study=False, eligible=10, present=6, in_favour=5)
    refused = case.decide("to_township_approval")
    assert codes(refused) == {"vote_not_passed"}
    assert "应到 10 人、实到 6 人、赞成 5 人" in refused.problems[0].message
    case.ok(SetFields({"present": 5, "in_favour": 5}))
    assert codes(case.decide("to_township_approval")) == {"vote_not_passed"}
    case.ok(SetFields({"eligible": 10, "present": 4, "in_favour": 6}))
    assert codes(case.decide("to_township_approval")) == {"vote_numbers_invalid"}
    case.ok(SetFields({"present": 7, "in_favour": 6}))
    assert case.decide("to_township_approval").ok


def test_full_county_review_route_to_decision_execution_and_archive():
    case = Case(source="上级交办", reporter_real_name=True)
    _to_branch_meeting(case, "party_removal")
    case.go("to_township_approval", eligible=9, present=8, in_favour=7)
    case.go("approve", approver_body="乡镇党委")
    assert case.state.step_id == "announce"
    decided = case.state.events["decided"]
    deadlines = {d.id: d for d in case.view().deadlines}
    assert decided == date(2026, 3, 12)
    assert deadlines["announce"].due == date(2026, 4, 13)  # 04-12 is a Sunday: rolls to Monday
    assert deadlines["post_pay_change"].state in ("normal", "due_soon")
    assert deadlines["submit_party_committee"].met_on is not None
    case.go("to_execution")
    case.go("to_close")
    case.go("to_archive")
    case.go("archive")
    view = case.view()
    assert view.terminal
    assert [s.id for s in view.stage_path] == [
        "intake", "disposition", "prelim", "filing", "review", "decision", "archive",
    ]
    assert all(d.met_on is not None for d in view.deadlines), [(d.id, d.state) for d in view.deadlines if not d.met_on]


def test_shelved_clue_is_reopened_on_new_evidence():
    case = Case()
    to_step(case, "accept", "to_shelve")
    assert case.state.step_id == "shelved"
    review = next(d for d in case.view().deadlines if d.id == "shelved_review")
    assert review.met_on is None and review.due == date(2026, 9, 4)
    case.prepare(new_evidence=None)
    assert codes(case.decide("reopen_prelim")) == {"field_missing"}
    case.ok(SetFields({"new_evidence": "新的举报材料附有转账凭证"}))
    assert case.decide("reopen_prelim").ok
    assert case.state.step_id == "prelim_verify"
    review = next(d for d in case.view().deadlines if d.id == "shelved_review")
    assert review.met_on == case.today


def test_review_returns_for_reinvestigation_and_comes_back():
    case = Case()
    _to_review(case, return_reason="主要事实不清")
    assert case.decide("return_reinvestigate").ok
    assert case.state.step_id == "investigation"
    assert case.state.history[-1].approver == "张书记"
    assert "investigation@1.investigators" in case.state.fields
    assert case.view().round == 2
    case.go("transfer_review")
    case.go("accept")
    assert case.state.step_id == "review"
    review = next(d for d in case.view().deadlines if d.id == "review")
    assert review.start == case.state.events["review_accepted"] and review.met_on is None


def test_judicial_transfer_after_the_party_decision():
    case = Case()
    _to_branch_meeting(case)
    case.go("to_township_approval")
    case.go("approve")
    case.go("to_execution")
    assert codes(case.run(RecordSanction("judicial"))) == {"sanction_not_allowed_here"}
    case.go("judicial")
    assert case.state.step_id == "judicial_transfer"
    assert codes(case.run(RecordSanction("party_warning"))) == {"sanction_not_allowed_here"}
    case.ok(RecordSanction("judicial"))
    case.go("done")
    assert case.state.step_id == "execution"
    assert proposed_types(case.state) == {"party_warning", "judicial"}
    assert "judicial" in [s.id for s in case.view().stage_path]


def test_appeal_is_reviewed_within_three_months():
    case = Case()
    _to_branch_meeting(case)
    case.go("to_township_approval")
    case.go("approve")
    case.go("appeal")
    assert case.state.step_id == "appeal_review"
    accepted = case.state.events["appeal_accepted"]
    appeal = next(d for d in case.view().deadlines if d.id == "appeal")
    assert appeal.start == accepted and appeal.due >= accepted + timedelta(days=89)
    case.ok(RecordSanction("party_warning", remove=True))
    case.ok(RecordSanction("party_serious_warning"))
    case.go("done", review_team=["戊某", "己某"])  # not the original team ([R] 第五十九条第三款)
    assert case.state.step_id == "execution"
    appeal = next(d for d in case.view().deadlines if d.id == "appeal")
    assert appeal.state == "met"


# ---------------------------------------------------------------- deadlines


def test_disposition_deadline_states_and_met_on():
    case = Case()
    case.go("accept")
    disposition = lambda: next(d for d in case.view().deadlines if d.id == "disposition")  # noqa: E731
    assert disposition().due == date(2026, 4, 2) and disposition().state == "normal"
    case.today = date(2026, 3, 31)
    assert disposition().state == "due_soon" and disposition().label == "即将到期"
    case.today = date(2026, 4, 3)
    assert disposition().state == "overdue" and disposition().working_days_left < 0
    case.go("to_talk")
    assert disposition().state == "met_late" and disposition().met_on == case.today


def test_review_deadline_extension_is_recorded_once_with_its_approver():
    case = Case()
    _to_review(case)
    review = next(d for d in case.view().deadlines if d.id == "review")
    original_due = review.due
    ext = Extend("review", 1, "months", "张书记", case.today, "案情重大复杂")
    case.ok(ext)
    review = next(d for d in case.view().deadlines if d.id == "review")
    assert review.extended and review.due > original_due
    assert case.state.extensions[0].approved_by == "张书记"
    again = case.run(ext)
    assert codes(again) == {"extension_not_allowed"}
    assert codes(case.run(Extend("review", 2, "months", "张书记", case.today, "x"))) == {"extension_not_allowed"}
    assert codes(case.run(Extend("announce", 1, "months", "张书记", case.today, "x"))) == {"extension_not_allowed"}
    assert codes(case.run(Extend("nope", 1, "months", "张书记", case.today, "x"))) == {"deadline_unknown"}


def test_extension_needs_an_approver_and_a_running_deadline():
    case = Case()
    _to_review(case)
    refused = case.run(Extend("review", 1, "months", "", case.today, "复杂"))
    assert codes(refused) == {"approval_missing"}
    refused = case.run(Extend("appeal", 3, "months", "张书记", case.today, "x"))
    assert codes(refused) == {"extension_not_allowed"}
    refused = case.run(Extend("assigned_case", 3, "months", "张书记", case.today, "x"))
    assert codes(refused) == {"deadline_not_active"}


def test_assigned_case_deadline_applies_only_to_assigned_clues():
    assert "assigned_case" not in {d.id for d in Case().view().deadlines}
    # [J] 第二十一条: 交办 — 3 months; [J] 第十六条第二款: 转办 (转送) — 5 working days to 受理 or 转办
    assigned = {d.id for d in Case(source="上级交办").view().deadlines}
    forwarded = {d.id for d in Case(source="上级转办").view().deadlines}
    assert "assigned_case" in assigned and "register_passed_down" not in assigned
    assert "register_passed_down" in forwarded and "assigned_case" not in forwarded


def test_local_limits_are_off_by_default():
    case = Case()
    to_step(case, "accept", "to_prelim")
    assert "prelim_started" in case.state.events
    assert "prelim_local_limit" not in {d.id for d in case.view().deadlines}


def test_missing_holiday_year_is_a_visible_warning():
    case = Case()
    case.state = replace(case.state, events={**case.state.events, "clue_received": date(2031, 3, 3)})
    case.state = replace(case.state, fields={**case.state.fields, "intake_register.reporter_real_name": True})
    view = case.view()
    assert any("2031" in w for w in view.warnings)


# ---------------------------------------------------------------- fields and actions


def test_field_values_are_validated_and_normalised():
    case = Case()
    refused = case.run(SetFields({"source": "匿名电话"}))
    assert codes(refused) == {"field_invalid"}
    assert codes(case.run(SetFields({"nope": "x"}))) == {"field_unknown"}
    assert codes(case.run(SetFields({"persons": "王某"}))) == {"field_invalid"}
    case.ok(SetFields({"persons": ["王某", {"name": "李某", "unit": "某站所"}], "summary": "  问题  "}))
    assert case.state.fields["intake_register.persons"] == ({"name": "王某"}, {"name": "李某", "unit": "某站所"})
    assert case.state.fields["intake_register.summary"] == "问题"
    case.ok(SetFields({"summary": None}))
    assert "intake_register.summary" not in case.state.fields


def test_event_dates_set_events_and_may_not_lie_in_the_future():
    case = Case()
    to_step(case, "accept", "to_talk")
    future = (case.today + timedelta(days=1)).isoformat()
    assert codes(case.run(SetFields({"talk_held_on": future}))) == {"date_in_future"}
    outcome = case.ok(SetFields({"talk_held_on": case.today.isoformat()}))
    assert outcome.events_set == {"talk_held": case.today}
    report = next(d for d in case.view().deadlines if d.id == "talk_report")
    assert report.start == case.today and report.step_id == "talk_inquiry"
    case.ok(SetFields({"talk_held_on": None}))
    assert "talk_held" not in case.state.events


def test_decision_dates_and_unknown_decisions():
    case = Case()
    case.prepare()
    assert codes(case.run(Decide("nope", case.today))) == {"decision_unknown"}
    assert codes(case.run(Decide("accept", RECEIVED - timedelta(days=1)))) == {"decision_date_before_step"}
    assert codes(case.run(Decide("accept", case.today + timedelta(days=1)))) == {"date_in_future"}
    assert codes(case.run(CompleteItem("nope"))) == {"checklist_item_unknown"}
    assert codes(case.run(RecordSanction("party_warning"))) == {"sanction_not_allowed_here"}


def test_invalid_clue_is_refused():
    with pytest.raises(DomainError) as err:
        initial_state(WF, RECEIVED, {**CLUE, "source": "小道消息"})
    assert err.value.code == "clue_invalid" and "线索来源" in err.value.message


def test_actions_from_json():
    assert action_from_dict({"type": "decide", "decision_id": "accept", "decided_on": "2026-03-03"}) == Decide(
        "accept", date(2026, 3, 3)
    )
    study = action_from_dict({"type": "record_study", "held_on": "2026-03-03", "attendees": ["甲", "乙"], "conclusion": "同意"})
    assert study == RecordStudy(date(2026, 3, 3), ("甲", "乙"), "同意")
    assert action_from_dict({"type": "complete_item", "item_id": "x", "done": False}) == CompleteItem("x", False)
    for bad in (
        {"type": "fly"},
        {"type": "decide", "decision_id": "accept"},
        {"type": "decide", "decision_id": "accept", "decided_on": "3月3日"},
        {"type": "set_fields", "values": {}, "extra": 1},
    ):
        with pytest.raises(DomainError) as err:
            action_from_dict(bad)
        assert err.value.code == "action_invalid"


def test_refused_actions_leave_the_state_untouched():
    case = Case()
    before = case.state
    for action in (Decide("accept", RECEIVED), SetFields({"source": "x"}), RecordStudy(RECEIVED, (), "")):
        outcome = case.run(action)
        assert not outcome.ok and outcome.state is before
    assert isinstance(before, CaseState)
