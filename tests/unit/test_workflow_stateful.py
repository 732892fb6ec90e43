"""Random action sequences never reach a state the rules forbid and never pass a gate with an open item."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.domain.rules import Field
from app.domain.workflow import (
    CompleteItem,
    Decide,
    Extend,
    RecordSanction,
    RecordStudy,
    SetFields,
    apply,
    evaluate,
    initial_state,
)

from tests.unit.shipped_rules import CAL, CATALOG, WF

RECEIVED = date(2026, 3, 2)
CLUE = {"source": "上级交办", "reporter_real_name": True, "persons": ["王某某"], "summary": "反映违规发放补贴"}
NAMES = ("张书记", "李副书记", "赵委员", "钱某")


def _progress() -> dict[str, int]:
    """How far into the main procedure a step lies (file order); side exits and closing rank lowest."""
    closing = {s.stage_id for s in WF.steps.values() if s.terminal}
    side = {g.id for g in WF.stages if g.side}
    return {sid: -1 if s.stage_id in closing | side else i for i, (sid, s) in enumerate(WF.steps.items())}


PROGRESS = _progress()


def values_for(field: Field, today: date) -> st.SearchStrategy:
    """Mostly valid values for a field, with some invalid ones and clears."""
    one = {
        "text": st.sampled_from(["甲某", "乙某", "  "]),
        "attachment": st.just("att-1"),
        "date": st.integers(-5, 2).map(lambda d: (today + timedelta(days=d)).isoformat()) | st.just("2026-13-01"),
        "choice": st.sampled_from(list(field.choices) + ["不在选项中"]),
        "number": st.integers(0, 12) | st.just("多少"),
        "bool": st.booleans(),
        "person": st.sampled_from(["王某", {"name": "李某", "unit": "某村"}, {"nick": "x"}]),
    }[field.type]
    value = st.lists(one, max_size=3) if field.multiple else one
    return value | st.none()


def valid_value(field: Field, today: date):
    one = {
        "text": "甲某",
        "attachment": "att-1",
        "date": today.isoformat(),
        "choice": field.choices[0] if field.choices else None,
        "number": 3,
        "bool": False,
        "person": {"name": "李某"},
    }[field.type]
    return ([one, "乙某"] if field.type == "text" else [one]) if field.multiple else one


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.today = RECEIVED
        self.state = initial_state(WF, RECEIVED, CLUE)

    @property
    def step(self):
        return WF.steps[self.state.step_id]

    def view(self):
        return evaluate(WF, self.state, today=self.today, cal=CAL, sanctions_catalog=CATALOG)

    def act(self, action):
        before = self.state
        view = self.view()
        outcome = apply(WF, before, action, today=self.today, cal=CAL, sanctions_catalog=CATALOG)
        if not outcome.ok:
            assert outcome.state is before and outcome.problems
            return
        if isinstance(action, Decide):
            chosen = next(d for d in view.decisions if d.id == action.decision_id)
            assert view.open_items == (), view.open_items
            assert chosen.enabled and not chosen.problems
            assert outcome.state.step_id == chosen.target_step
        self.state = outcome.state

    @rule(days=st.integers(0, 20))
    def time_passes(self, days):
        self.today += timedelta(days=days)

    @rule(data=st.data(), done=st.booleans())
    def tick_item(self, data, done):
        ids = [i.id for i in self.step.checklist] + ["no_such_item"]
        self.act(CompleteItem(data.draw(st.sampled_from(ids)), done))

    @rule(data=st.data())
    def set_fields(self, data):
        fields = list(self.step.fields)
        if not fields:
            return
        chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique_by=lambda f: f.id))
        values = {f.id: data.draw(values_for(f, self.today)) for f in chosen}
        if data.draw(st.booleans()):
            values["no_such_field"] = "x"
        self.act(SetFields(values))

    @rule(people=st.integers(0, 4), days_back=st.integers(0, 3), conclusion=st.sampled_from(["同意", ""]))
    def record_study(self, people, days_back, conclusion):
        self.act(RecordStudy(self.today - timedelta(days=days_back), NAMES[:people], conclusion))

    @rule()
    def generate_documents(self):
        # The document service records generated templates; the engine only reads them.
        self.state = replace(self.state, documents=self.state.documents | {d.template for d in self.step.documents})

    @rule()
    def complete_the_step(self):
        """Everything a diligent user does in a step, so random runs get deep into the workflow."""
        for item in self.step.checklist:
            self.act(CompleteItem(item.id))
        self.act(SetFields({f.id: valid_value(f, self.today) for f in self.step.fields}))
        self.generate_documents()
        self.act(RecordStudy(self.today, NAMES[:3], "同意"))
        allowed = [t for t in CATALOG.types.values() if t.kind in self.step.sanction_kinds]
        if allowed and not self.state.sanctions:
            self.act(RecordSanction(min(allowed, key=lambda t: t.severity).id))

    @rule(data=st.data(), steps=st.integers(1, 6))
    def move_on(self, data, steps):
        """Complete the step and take an enabled decision, a few times over."""
        for _ in range(steps):
            self.complete_the_step()
            options = [d for d in self.view().decisions if d.enabled]
            if not options:
                return
            # Half the time the decision leading farthest into the procedure, so runs get deep; else any.
            if data.draw(st.booleans()):
                chosen = data.draw(st.sampled_from(options))
            else:
                chosen = max(options, key=lambda d: PROGRESS[d.target_step])
            self.today += timedelta(days=1)
            self.act(Decide(chosen.id, self.today, "张书记"))

    @rule(data=st.data(), days_back=st.integers(-1, 3), approver=st.sampled_from(["", "张书记"]))
    def decide(self, data, days_back, approver):
        ids = [d.id for d in self.step.decisions] + ["no_such_decision"]
        self.today += timedelta(days=1)
        self.act(Decide(data.draw(st.sampled_from(ids)), self.today - timedelta(days=days_back), approver))

    @rule(data=st.data(), length=st.integers(1, 4), approver=st.sampled_from(["", "张书记"]))
    def extend(self, data, length, approver):
        ids = [d.id for d in WF.deadlines] + ["no_such_deadline"]
        unit = data.draw(st.sampled_from(["wd", "days", "months"]))
        self.act(Extend(data.draw(st.sampled_from(ids)), length, unit, approver, self.today, "案情复杂"))

    @rule(type_id=st.sampled_from(sorted(CATALOG.types) + ["no_such_sanction"]), remove=st.booleans())
    def record_sanction(self, type_id, remove):
        self.act(RecordSanction(type_id, remove))

    @invariant()
    def step_is_known_and_history_follows_the_rules(self):
        assert self.state.step_id in WF.steps
        steps = [h.step_id for h in self.state.history] + [self.state.step_id]
        for entry, next_step in zip(self.state.history, steps[1:]):
            decision = WF.steps[entry.step_id].decision(entry.decision_id)
            assert decision is not None and decision.target == next_step

    @invariant()
    def terminal_cases_accept_no_decisions(self):
        view = self.view()
        if view.terminal:
            assert all(WF.steps[view.step.id].decision(d.id).reopens for d in view.decisions)
            outcome = apply(WF, self.state, Decide("archive", self.today), today=self.today, cal=CAL, sanctions_catalog=CATALOG)
            assert not outcome.ok and {p.code for p in outcome.problems} == {"terminal_case"}


WorkflowMachine.TestCase.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestWorkflowStateful = WorkflowMachine.TestCase
