"""人员档案 (integrity archive): each reported person with their clues, cases, sanctions and effect periods.

Lists are read with plain SQL over the columns shown (the archive can hold thousands of people);
effect periods are decided by the domain (`app.domain.sanctions.in_effect`) from the decided
sanction rows, so every screen marks the same people as 处分影响期内.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, text
from sqlmodel import Session

from app.domain import persons as person_rules
from app.domain.errors import DomainError
from app.domain.sanctions import KIND_LABELS, SanctionRecord, in_effect
from app.errors import InputError
from app.services import ruleset, talk_followups
from app.services.persons import PERSON_FIELDS
from app.services.ruleset import RuleSet
from app.storage.store import Store

FOREVER = "长期"  # shown for an effect period without an end (开除)


@dataclass(frozen=True)
class PersonRow:
    person_id: str
    name: str
    unit: str
    post: str
    rank: str
    category: str
    political_status: str
    id_number: str
    clues: int
    filed: int
    sanctions: int
    in_effect: bool
    effect_end: date | None  # latest end of a running effect period; None with in_effect = for good


@dataclass(frozen=True)
class PersonCase:
    case_id: str
    number: str
    clue_number: str
    received_on: date
    summary: str
    stage_title: str
    step_title: str
    closed: bool
    talk: str = ""  # its 谈话函询 as the 廉政档案 keeps it ([R] 30), "" without one


@dataclass(frozen=True)
class PersonSanction:
    case_id: str
    case_number: str
    type_id: str
    name: str
    kind_label: str
    form: int
    decided_on: date | None  # None: proposed, not yet decided
    effect_end: date | None
    in_effect: bool


@dataclass(frozen=True)
class PersonDetail:
    row: PersonRow
    labels: tuple[str, ...]
    cases: tuple[PersonCase, ...]
    sanctions: tuple[PersonSanction, ...]


@dataclass(frozen=True)
class PersonPreview:
    """What registering a clue against `name`/`unit`/`id_number` would say about the person."""

    known: bool
    person_id: str | None
    clues_before: int
    labels: tuple[str, ...]
    effect_end: date | None
    in_effect: bool


def as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def names_by_clue(subjects, effects) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """From (clue_id, person_id, name) rows: each clue's persons, and those of them within a
    sanction's effect period (`effects`, from `effect_periods`), in row order."""
    names: dict[str, list[str]] = {}
    flagged: dict[str, list[str]] = {}
    for clue_id, person_id, name in subjects:
        names.setdefault(clue_id, []).append(name)
        if person_id in effects:
            flagged.setdefault(clue_id, []).append(name)
    return names, flagged


def effect_periods(s: Session, today: date, person_ids: list[str] | None = None) -> dict[str, date | None]:
    """person id -> end of the running effect period (None: for good), for people in one today."""
    query = ("SELECT x.person_id, p.person_key, x.type_id, x.decided_on, x.effect_end FROM sanction AS x "
             "JOIN person AS p ON p.id = x.person_id "
             "WHERE x.deleted = 0 AND x.decided_on IS NOT NULL")
    params = {}
    if person_ids is not None:
        if not person_ids:
            return {}
        query += " AND x.person_id IN :ids"
        params["ids"] = list(person_ids)
    statement = text(query)
    if person_ids is not None:
        statement = statement.bindparams(bindparam("ids", expanding=True))
    records: dict[str, list[SanctionRecord]] = {}
    for person_id, key, type_id, decided_on, effect_end in s.execute(statement, params):
        records.setdefault(person_id, []).append(SanctionRecord(type_id, as_date(decided_on), as_date(effect_end), key))
    out: dict[str, date | None] = {}
    for person_id, recs in records.items():
        running = in_effect(recs, today)
        if running:
            ends = [r.effect_end for r in running]
            out[person_id] = None if None in ends else max(ends)
    return out


PERSON_QUERY = """
SELECT p.id, p.name, p.unit, p.post, p.rank, p.category, p.political_status, p.id_number,
       (SELECT count(*) FROM clue_subject AS cs WHERE cs.person_id = p.id AND cs.deleted = 0),
       (SELECT count(*) FROM clue_subject AS cs JOIN "case" AS c ON c.clue_id = cs.clue_id
        WHERE cs.person_id = p.id AND cs.deleted = 0 AND c.deleted = 0 AND c.filed_on IS NOT NULL),
       (SELECT count(*) FROM sanction AS x WHERE x.person_id = p.id AND x.deleted = 0 AND x.decided_on IS NOT NULL)
FROM person AS p
WHERE p.deleted = 0 {where}
ORDER BY p.name, p.unit
"""


def person_rows(s: Session, today: date, where: str = "", params: dict | None = None) -> list[PersonRow]:
    rows = s.execute(text(PERSON_QUERY.format(where=where)), params or {}).all()
    effects = effect_periods(s, today, [r[0] for r in rows]) if where else effect_periods(s, today)
    return [PersonRow(*r[:8], clues=r[8], filed=r[9], sanctions=r[10], in_effect=r[0] in effects,
                      effect_end=effects.get(r[0])) for r in rows]


def list_persons(store: Store, *, today: date | None = None) -> list[PersonRow]:
    today = today or date.today()
    with store.read() as s:
        return person_rows(s, today)


def find_persons(store: Store, typed: str, *, today: date | None = None, limit: int = 30) -> list[PersonRow]:
    """Registry rows whose name or unit contains `typed`, for choosing a person while registering."""
    typed = typed.strip()
    if not typed:
        return []
    pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with store.read() as s:
        rows = person_rows(s, today or date.today(),
                           "AND (p.name LIKE :p ESCAPE '\\' OR p.unit LIKE :p ESCAPE '\\')", {"p": pattern})
    return rows[:limit]


def labels_for(row: PersonRow) -> tuple[str, ...]:
    flags = []
    if row.clues > 1:
        flags.append(person_rules.FLAG_LABELS["repeat"])
    if row.in_effect:
        flags.append(person_rules.FLAG_LABELS["in_effect_period"])
    return tuple(flags)


def person_detail(store: Store, person_id: str, *, today: date | None = None, rules: RuleSet | None = None) -> PersonDetail:
    today = today or date.today()
    rules = rules or ruleset.load(store)
    wf = rules.workflow
    with store.read() as s:
        found = person_rows(s, today, "AND p.id = :pid", {"pid": person_id})
        if not found:
            raise InputError("no_person", "人员档案中没有这个人，可能已被删除。请刷新列表。")
        cases = s.execute(text(
            'SELECT c.id, c.number, cl.number, cl.received_on, cl.summary, c.stage, c.step_id, c.closed_on, c.state '
            'FROM clue_subject AS cs JOIN clue AS cl ON cl.id = cs.clue_id JOIN "case" AS c ON c.clue_id = cl.id '
            'WHERE cs.person_id = :pid AND cs.deleted = 0 AND c.deleted = 0 ORDER BY cl.received_on DESC, cl.number DESC'
        ), {"pid": person_id}).all()
        sanctions = s.execute(text(
            'SELECT x.case_id, coalesce(nullif(c.number, \'\'), cl.number), x.type_id, x.form, x.decided_on, x.effect_end '
            'FROM sanction AS x JOIN "case" AS c ON c.id = x.case_id JOIN clue AS cl ON cl.id = c.clue_id '
            'WHERE x.person_id = :pid AND x.deleted = 0 ORDER BY x.decided_on IS NULL, x.decided_on DESC'
        ), {"pid": person_id}).all()
    row = found[0]
    case_rows = tuple(
        PersonCase(case_id, number or clue_number, clue_number, as_date(received), summary,
                   wf.stage(stage).title if stage in {st.id for st in wf.stages} else stage,
                   wf.steps[step].title if step in wf.steps else step, closed is not None,
                   talk_followups.talk_summary(wf, state if isinstance(state, dict) else json.loads(state or "{}")))
        for case_id, number, clue_number, received, summary, stage, step, closed, state in cases
    )
    sanction_rows = []
    for case_id, case_number, type_id, form, decided_on, effect_end in sanctions:
        decided, end = as_date(decided_on), as_date(effect_end)
        try:
            kind = rules.catalog.get(type_id)
            name, kind_label = kind.name, KIND_LABELS.get(kind.kind, kind.kind)
        except DomainError:
            name, kind_label = type_id, ""
        running = decided is not None and bool(in_effect([SanctionRecord(type_id, decided, end, "")], today))
        sanction_rows.append(PersonSanction(case_id, case_number, type_id, name, kind_label, form, decided, end, running))
    return PersonDetail(row, labels_for(row), case_rows, tuple(sanction_rows))


def preview(store: Store, data: dict, *, today: date | None = None) -> PersonPreview:
    """Warnings for a person about to be named in a new clue: the count includes that new clue."""
    today = today or date.today()
    values = {k: str(data.get(k) or "").strip() for k in PERSON_FIELDS}
    try:
        key = person_rules.person_key(values["name"], values["unit"], values["id_number"] or None)
    except DomainError:
        return PersonPreview(False, None, 0, (), None, False)
    with store.read() as s:
        found = person_rows(s, today, "AND p.owner_office_id = :office AND p.person_key = :key",
                            {"office": store.office.id, "key": key})
    if not found:
        return PersonPreview(False, None, 0, (), None, False)
    row = found[0]
    labels = []
    if row.clues >= 1:
        labels.append(person_rules.FLAG_LABELS["repeat"])
    if row.in_effect:
        labels.append(person_rules.FLAG_LABELS["in_effect_period"])
    return PersonPreview(True, row.person_id, row.clues, tuple(labels), row.effect_end, row.in_effect)
