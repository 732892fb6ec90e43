"""Demonstration cases in bulk, for the 10,000-case list benchmark and the tests that need that many.

Registering 10,000 clues through the services takes minutes, so this helper writes the rows
directly in one transaction (SQL Core inserts: no ORM objects, and therefore no audit events —
acceptable only for demonstration data, which is what this is: every clue has `is_demo` set).
The rows are what the services would have written: a clue, its reported persons (a pool with
repeats), the link rows, the case with an engine state built from a realistic decision history
(registered, in disposition, in 初核, shelved, filed, archived), `next_due` computed by the engine,
the first step visit, and a few decided sanctions so that some people are in an effect period.
The search index fills itself through the triggers of migration 0002.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from types import MappingProxyType

from sqlalchemy import insert
from sqlmodel import select

from app.domain import workflow as engine
from app.domain.deadlines import add_months
from app.models import Case, Clue, ClueSubject, Counter, Person, Sanction, StepRecord
from app.models.base import new_id, utcnow
from app.services import case_codec, cases, demo_data, ruleset
from app.storage.store import Store

# (share, decisions taken in order as (step, decision, events set), the step reached)
PATHS = (
    (10, (), "intake_register"),
    (20, (("intake_register", "accept", ("intake_decided", "clue_registered")),), "disposition"),
    (15, (("intake_register", "accept", ("intake_decided", "clue_registered")),
          ("disposition", "to_prelim", ("disposition_decided", "prelim_started"))), "prelim_verify"),
    (10, (("intake_register", "accept", ("intake_decided", "clue_registered")),
          ("disposition", "to_shelve", ("disposition_decided", "shelf_review_from"))), "shelved"),
    (10, (("intake_register", "accept", ("intake_decided", "clue_registered")),
          ("disposition", "to_prelim", ("disposition_decided", "prelim_started")),
          ("prelim_verify", "propose_filing", ()), ("filing", "file", ("filed",))), "investigation"),
    (35, (("intake_register", "accept", ("intake_decided", "clue_registered")),
          ("disposition", "to_close", ("disposition_decided", "case_closed")),
          ("close_feedback", "to_archive", ()), ("archive_filing", "archive", ())), "archived"),
)
SANCTIONED_SHARE = 0.05  # of filed cases: a decided 警告 still in its effect period


def state_for(rules, path, received: date, rng: random.Random, fields: dict) -> engine.CaseState:
    state = engine.initial_state(rules.workflow, received, fields)
    on = received
    history = list(state.history)
    events = dict(state.events)
    for step_id, decision_id, sets in path:
        on += timedelta(days=rng.randrange(1, 12))
        history.append(engine.HistoryEntry(step_id, decision_id, on, "演示审批人"))
        events.update(dict.fromkeys(sets, on))
    target = rules.workflow.steps[path[-1][0]].decision(path[-1][1]).target if path else state.step_id
    return replace(state, step_id=target, entered_on=on, history=tuple(history), events=MappingProxyType(events))


def insert_cases(store: Store, n: int, *, seed: int = 7, today: date | None = None) -> int:
    """Add `n` demonstration cases received over the last two years; returns how many were added."""
    today = today or date.today()
    rules = ruleset.load(store)
    rng = random.Random(seed)
    me = store.office.id
    now = utcnow()
    base = {"owner_office_id": me, "version": 1, "created_at": now, "updated_at": now, "deleted": False}
    with store.read() as s:
        prefix = cases.office_prefix(s, store)
    people = []
    for i in range(max(1, n * 7 // 10)):
        village = rng.random() < 0.75
        unit = rng.choice(demo_data.VILLAGES) + "村民委员会" if village else "青石镇" + rng.choice(demo_data.STATIONS)
        post, category = rng.choice(demo_data.VILLAGE_POSTS if village else demo_data.STATION_POSTS)
        name = rng.choice(demo_data.SURNAMES) + rng.choice(demo_data.GIVEN)
        people.append({**base, "id": new_id(), "name": name, "unit": unit.replace("村村", "村"), "post": post, "rank": "",
                       "category": category, "political_status": "中共党员", "id_number": "",
                       "person_key": f"demo-{seed}-{i}"})
    weights = [share for share, _, _ in PATHS]
    clue_rows, link_rows, case_rows, visit_rows, sanction_rows = [], [], [], [], []
    counters: dict[tuple[str, int], int] = {}
    with store.read() as s:
        for row in s.exec(select(Counter).where(Counter.office_id == me)).all():
            counters[(row.kind, row.year)] = row.value
    for _ in range(n):
        received = today - timedelta(days=rng.randrange(0, 730))
        _, path, _ = rng.choices(PATHS, weights)[0]
        person = rng.choice(people)
        kind, text, _ = rng.choice(demo_data.ALLEGATIONS)
        summary = f"反映{person['unit']}{person['post']}{person['name']}" + text.format(year=received.year - 1,
                                                                                     money=rng.randrange(2, 60) * 500)
        source = rng.choice(demo_data.SOURCES)
        key = ("clue", received.year)
        counters[key] = counters.get(key, 0) + 1
        clue_id, case_id = new_id(), new_id()
        clue_rows.append({**base, "id": clue_id, "number": f"{prefix}纪线〔{received.year}〕{counters[key]}号",
                          "received_on": received, "source": source, "incoming_no": "", "summary": summary,
                          "categories": [kind], "leader_instruction": "", "real_name": False, "handling_mode": "自办",
                          "transferred_from_office_id": None, "is_demo": True})
        link_rows.append({**base, "id": new_id(), "clue_id": clue_id, "person_id": person["id"]})
        fields = {"source": source, "reporter_real_name": False, "persons": [{"name": person["name"], "unit": person["unit"]}],
                  "summary": summary, "categories": [kind]}
        state = state_for(rules, path, received, rng, fields)
        view = cases.evaluate(rules, state, today)
        running = cases.running_deadlines(view)
        filed = state.events.get("filed")
        number = ""
        if filed:
            fkey = ("filing", filed.year)
            counters[fkey] = counters.get(fkey, 0) + 1
            number = f"{prefix}纪立〔{filed.year}〕{counters[fkey]}号"
            if rng.random() < SANCTIONED_SHARE:
                decided = min(filed + timedelta(days=30), today)
                sanction_rows.append({**base, "id": new_id(), "case_id": case_id, "person_id": person["id"],
                                      "type_id": "party_warning", "kind": "party", "form": 2, "decided_on": decided,
                                      "effect_end": add_months(decided, 12),
                                      "approving_body": "乡镇纪委", "document_no": ""})
        case_rows.append({**base, "id": case_id, "clue_id": clue_id, "number": number, "stage": view.stage.id,
                          "step_id": state.step_id, "step_entered_on": state.entered_on, "route": "", "outcome": "",
                          "filed_on": filed, "closed_on": state.events.get("case_closed"),
                          "state": case_codec.to_json(state), "next_due": running[0].due if running else None,
                          "next_due_title": running[0].title if running else ""})
        visit_rows.append({**base, "id": new_id(), "case_id": case_id, "seq": 1, "step_id": state.step_id,
                           "entered_on": state.entered_on, "checklist": [], "fields": {}, "completed_on": None,
                           "completed_by": "", "decision_id": ""})
    with store.write() as s:
        for table, rows in ((Person, people), (Clue, clue_rows), (ClueSubject, link_rows), (Case, case_rows),
                            (StepRecord, visit_rows), (Sanction, sanction_rows)):
            if rows:
                s.execute(insert(table.__table__), rows)
        for (kind, year), value in counters.items():
            row = s.get(Counter, (me, kind, year))
            if row is None:
                s.add(Counter(office_id=me, kind=kind, year=year, value=value))
            else:
                row.value = value
                s.add(row)
    return n
