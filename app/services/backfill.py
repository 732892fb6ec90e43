"""The rows of cases brought in from an old 台账 (补录), built in memory and written in bulk.

A ledger of thousands of rows would take minutes as ORM objects (each SQLModel instance costs about
a millisecond to build, each flush more). So the records are made the way a bundle import makes
them (app/sync/merge.py): plain column values, one Core executemany per table, parents before
children, and the audit chain given the same "新建" events a flush would write, plus one 补录 event
per case naming the file and row. The values come from the same rules as a clue registered by hand:
the engine's initial state of the intake step, `cases.keep_state`, the archive's `person_key`,
the sanction catalog's effect periods. All of it inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import SimpleNamespace

from pydantic_core import PydanticUndefined
from sqlalchemy import insert
from sqlmodel import Session, select

from app.domain import legacy_outcome as outcome
from app.domain import text_hygiene as hygiene
from app.domain import workflow as engine
from app.domain.persons import person_key
from app.domain.sanctions import SanctionRecord, effect_period
from app.models import (
    Case,
    CaseSubject,
    Clue,
    ClueSubject,
    Counter,
    Decision,
    Person,
    Reporter,
    Sanction,
    StepRecord,
)
from app.models.base import new_id, utcnow
from app.services import cases, persons
from app.services.ruleset import RuleSet
from app.storage import audit
from app.storage.store import Store

MARK = "补录"
# parents before children: the tables declare foreign keys
ORDER = (Person, Clue, ClueSubject, Case, CaseSubject, StepRecord, Decision, Sanction)
BATCH = 500
FILE_NAME_LIMIT = 100
_FIELDS: dict[type, tuple[dict, list[tuple[str, object]]]] = {}


@dataclass(frozen=True)
class BackfillRow:
    """One ledger row as the records need it (read and checked by app/services/ledger_import.py)."""

    row: int
    number: str  # "" = the office's next 线索编号
    names: tuple[str, ...]
    unit: str
    post: str
    record: outcome.LegacyRecord
    source: str
    summary: str
    reporter: str
    note: str


def field_defaults(model: type) -> tuple[dict, list[tuple[str, object]]]:
    """A model's static defaults and its default factories, looked up once: pydantic's own lookup
    per instance is what makes an ORM object slow to build."""
    if model not in _FIELDS:
        static, factories = {}, []
        for name, info in model.model_fields.items():
            if info.default_factory is not None:
                factories.append((name, info.default_factory))
            elif info.default is not PydanticUndefined:
                static[name] = info.default
        _FIELDS[model] = (static, factories)
    return _FIELDS[model]


class BackfillWriter:
    def __init__(self, s: Session, store: Store, rules: RuleSet, file: str, today: date):
        self.s, self.store, self.rules, self.today = s, store, rules, today
        # the file name goes into the audit trail and travels upward: one line, and short
        self.file = hygiene.scrub(file, hygiene.SHORT)[:FILE_NAME_LIMIT]
        self.owner = store.office.id
        self.now = utcnow()
        self.rows: dict[type, list[dict]] = {m: [] for m in ORDER}
        self.notes: list[tuple[str, str, str]] = []
        self.reporters: list[dict] = []
        self.person_ids = dict(s.exec(select(Person.person_key, Person.id)
                                      .where(Person.owner_office_id == self.owner, Person.deleted == False)).all())  # noqa: E712
        self.keys: dict[str, str] = {}  # person id → key, of the persons this import adds
        self.prior: dict[str, list[SanctionRecord]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.prefix = cases.office_prefix(s, store)
        wf = rules.workflow
        self.source_field = next(f for f in wf.steps[wf.initial_step].fields if f.id == "source")

    def new(self, model: type, **values) -> dict:
        static, factories = field_defaults(model)
        row = dict(static)
        for name, factory in factories:
            if name not in values:
                row[name] = self.now if name in ("created_at", "updated_at") else factory()
        row.update(values)
        row["owner_office_id"] = self.owner
        self.rows[model].append(row)
        return row

    # --- numbers ------------------------------------------------------------------------

    def counter(self, kind: str, year: int) -> int:
        if (kind, year) not in self.counters:
            held = self.s.get(Counter, (self.owner, kind, year))
            self.counters[kind, year] = held.value if held else 0
        return self.counters[kind, year]

    def reserve(self, number: str) -> None:
        """A ledger number in this office's own form moves its counter on, so later numbers never repeat it."""
        year, seq = own_number(self.prefix, number)
        if year:
            self.counters["clue", year] = max(self.counter("clue", year), seq)

    def next_number(self, kind: str, year: int) -> str:
        """The office's next 线索编号 or 立案编号, as `cases` numbers them."""
        self.counters[kind, year] = self.counter(kind, year) + 1
        letter = "线" if kind == "clue" else "立"
        return f"{self.prefix}纪{letter}〔{year}〕{self.counters[kind, year]}号"

    # --- one row ------------------------------------------------------------------------

    def person(self, name: str, unit: str, post: str) -> str:
        key = person_key(name, unit)
        if key not in self.person_ids:
            self.person_ids[key] = self.new(Person, name=name, unit=unit, post=post, person_key=key)["id"]
            self.keys[self.person_ids[key]] = key
        return self.person_ids[key]

    def add(self, row: BackfillRow) -> str:
        """The clue, case and their rows for one ledger row; returns the case id."""
        wf = self.rules.workflow
        received = row.record.received_on
        clue = self.new(Clue, number=row.number or self.next_number("clue", received.year), received_on=received,
                        source=row.source, summary=row.summary, categories=[], real_name=bool(row.reporter))
        if row.reporter:
            self.reporters.append({"clue_id": clue["id"], "name": row.reporter})
        named = {self.person(n, row.unit, row.post): n for n in reversed(row.names)}  # one row per person, first name kept
        people = [p for p in dict.fromkeys(self.person(n, row.unit, row.post) for n in row.names)]
        for person_id in people:
            self.new(ClueSubject, clue_id=clue["id"], person_id=person_id)
        case_id = new_id()
        filed = row.record.filed_on
        subjects = [self.new(CaseSubject, case_id=case_id, person_id=p, seq=seq, unit_post=f"{row.unit}{row.post}",
                             filed_on=filed) for seq, p in enumerate(people, start=1)]
        fields = {"source": row.source, "summary": row.summary, "reporter_real_name": bool(row.reporter),
                  "persons": [{"name": n, "unit": row.unit, "post": row.post} for n in row.names]}
        start = engine.initial_state(wf, received, fields)
        start = replace(start, subjects=tuple(engine.Subject(x["id"], named[x["person_id"]]) for x in subjects))
        walked = outcome.walk(wf, start, row.record)
        history = tuple(replace(h, approver=MARK) for h in walked.decisions)
        state = replace(walked.state, history=start.history + history)
        kept = SimpleNamespace()
        cases.keep_state(kept, self.rules, state, self.today)
        concluded = engine.terminal_step(wf, state)
        self.new(Case, id=case_id, clue_id=clue["id"], state=kept.state, step_id=kept.step_id,
                 step_entered_on=kept.step_entered_on, stage=kept.stage, next_due=kept.next_due,
                 next_due_title=kept.next_due_title, filed_on=filed,
                 number=self.next_number("filing", filed.year) if filed else "",
                 closed_on=state.events.get("case_closed"),
                 backfill={"file": self.file, "row": row.row, "by": self.store.account.name, "on": self.today.isoformat(),
                           "steps": list(walked.passed), "note": row.note})
        self.steps(case_id, received, history, state.step_id)
        by = f"{self.store.account.name}（{MARK}）"
        for h in history:
            self.new(Decision, case_id=case_id, step_id=h.step_id, decision_id=h.decision_id, decided_on=h.decided_on,
                     approver=MARK, decided_by=by)
        for name, type_id in row.record.sanctions:  # each to the person the row's 处分种类 names
            self.sanction(case_id, self.person(name, row.unit, row.post), type_id, row.record.closed_on if concluded else None)
        self.notes.append(("backfill", f"case:{case_id}", f"{MARK}：原台账“{self.file}”第{row.row}行"))
        return case_id

    def steps(self, case_id: str, received: date, history: tuple[engine.HistoryEntry, ...], last: str) -> None:
        """Step visits as the step list and bundles read them: each left on its decision's date."""
        entered = received
        for seq, h in enumerate(history, start=1):
            self.new(StepRecord, case_id=case_id, seq=seq, step_id=h.step_id, entered_on=entered,
                     completed_on=h.decided_on, completed_by=MARK, decision_id=h.decision_id)
            entered = h.decided_on
        self.new(StepRecord, case_id=case_id, seq=len(history) + 1, step_id=last, entered_on=entered)

    def sanction(self, case_id: str, person_id: str, type_id: str, decided_on: date | None) -> None:
        """A sanction of a concluded case takes effect on its closing date ([T] 第二十一条 accumulation
        over the person's earlier ones); of an open case it stays proposed."""
        kind = self.rules.catalog.get(type_id)
        end = None
        if decided_on is not None:
            if person_id not in self.prior:  # a person this import adds has no earlier sanctions
                self.prior[person_id] = [] if person_id in self.keys else \
                    persons.sanction_records(self.s, [person_id])[person_id]
            _, end = effect_period(self.rules.catalog, type_id, decided_on, self.prior[person_id])
            key = self.s.get(Person, person_id).person_key if person_id not in self.keys else self.keys[person_id]
            self.prior[person_id].append(SanctionRecord(type_id, decided_on, end, key))
        self.new(Sanction, case_id=case_id, person_id=person_id, type_id=kind.id, kind=kind.kind, form=kind.form,
                 decided_on=decided_on, effect_end=end)

    # --- writing ------------------------------------------------------------------------

    def write(self) -> None:
        """Everything built so far, table by table, with its audit events; counters moved on."""
        connection = self.s.connection()
        for model in ORDER:
            rows = self.rows[model]
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(model.__table__), rows[start:start + BATCH])
            audit.append(self.s, [("create", f"{model.__tablename__}:{r['id']}", "新建") for r in rows])
            self.rows[model] = []
        audit.append(self.s, self.notes)
        self.notes = []
        for (kind, year), value in self.counters.items():
            counter = self.s.get(Counter, (self.owner, kind, year)) or Counter(office_id=self.owner, kind=kind,
                                                                             year=year, value=0)
            if counter.value != value:
                counter.value = value
                self.s.add(counter)
        # reporter identity is sealed to the role key by its column type: through the ORM, a few rows
        self.s.add_all(Reporter(owner_office_id=self.owner, clue_id=r["clue_id"], name=r["name"]) for r in self.reporters)
        self.reporters = []
        self.s.flush()


def own_number(prefix: str, number: str) -> tuple[int, int]:
    """(year, seq) of a number in the office's own form "X纪线〔2025〕12号", else (0, 0)."""
    head = f"{prefix}纪线〔"
    if not (number.startswith(head) and number.endswith("号") and "〕" in number):
        return 0, 0
    year, _, seq = number[len(head):-1].partition("〕")
    return (int(year), int(seq)) if year.isdigit() and len(year) == 4 and seq.isdigit() else (0, 0)
