"""Clues registered before 上级转办 and 上级交办 were told apart.

Until then a township registered every clue its county transferred as 上级交办, so each one ran
the 3-month 交办 limit (《纪检监察机关处理检举控告工作规则》第二十一条) although the county had only
forwarded it (转送, 第十六条). After a schema upgrade the township's own clues that came from a
county transfer (`transferred_from_office_id` set) become 上级转办, in the clue and in its case's
intake field. A clue registered by hand as 上级交办 keeps that source: nothing in the store says
whether a 交办函 came with it, and a wrong 3-month reminder is safer than a lost one. Nothing changes
while the rules in force do not offer 上级转办.

The change goes through an ordinary audited write, so versions rise and the next bundle carries it
upward; a county never changes a township's rows (single writer, DESIGN §5).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import MappingProxyType

from sqlmodel import select

from app.domain import clue_sources
from app.models import Case, Clue
from app.services import case_codec, cases, ruleset
from app.storage.store import Store


def split_transferred(store: Store, *, today: date | None = None) -> int:
    """Re-source the office's transferred 上级交办 clues as 上级转办; returns how many changed."""
    today = today or date.today()
    rules = ruleset.load(store)
    field = rules.workflow.steps[rules.workflow.initial_step].field("source")
    if field is None or clue_sources.TRANSFERRED not in field.choices:
        return 0  # the rules in force (a county's older file) do not know the split yet
    key = f"{rules.workflow.initial_step}.source"
    changed = 0
    with store.write() as s:
        rows = s.exec(select(Clue, Case).join(Case, Case.clue_id == Clue.id).where(
            Clue.owner_office_id == store.office.id, Clue.source == clue_sources.ASSIGNED,
            Clue.transferred_from_office_id.is_not(None), Clue.deleted == False)).all()  # noqa: E712
        for clue, case in rows:
            clue.source = clue_sources.TRANSFERRED
            s.add(clue)
            state = case_codec.from_json(case.state)
            if state.fields.get(key) == clue_sources.ASSIGNED:
                state = replace(state, fields=MappingProxyType({**state.fields, key: clue_sources.TRANSFERRED}))
                if state.step_id in rules.workflow.steps:
                    cases.keep_state(case, rules, state, today)
                else:  # a step the rules in force do not know: keep its cached due date as it is
                    case.state = case_codec.to_json(state)
                s.add(case)
            changed += 1
    return changed
