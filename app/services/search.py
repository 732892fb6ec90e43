"""The 案件 list and case search.

The list reads only the columns it shows, with plain SQL (no ORM objects), so 10,000 cases load
in a blink; the deadline state of each row comes from `case.next_due` and the working-day
calendar. Search is full text over the FTS5 table `case_search` (tokenize='trigram', migration
0002, kept in sync by triggers): clue and case numbers, 来文编号, reported persons' names, units
and posts, and the clue summary. Trigrams need three characters, so shorter words are matched
with LIKE over the same table; several words must all match.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import text

from app.domain.deadlines import deadline_state
from app.services import archive, ruleset
from app.services.ruleset import RuleSet
from app.storage.store import Store

SEARCH_TABLE_PREFIX = "case_search"  # the FTS table, its shadow tables, the id map and the list index
MIN_TRIGRAM = 3
SEARCH_COLUMNS = ("numbers", "persons", "summary")


class CaseListRow(NamedTuple):
    """One row of the list. A NamedTuple rather than a frozen dataclass: it is as immutable and
    builds several times faster, which counts at 10,000 rows per load (bench/bench_case_list.py)."""

    case_id: str
    number: str  # the 立案 number once filed, else the clue number
    clue_number: str
    persons: tuple[str, ...]
    persons_in_effect: tuple[str, ...]  # those of `persons` inside a sanction's effect period
    source: str
    stage: str
    stage_title: str
    step: str
    step_title: str
    terminal: bool
    next_due: date | None
    next_due_title: str
    due_state: str  # "" when nothing runs, else normal / due_soon / overdue
    working_days_left: int | None
    received_on: date

    @property
    def year(self) -> int:
        return self.received_on.year


LIST_QUERY = """
SELECT c.id, c.number, cl.number, cl.source, cl.received_on, c.stage, c.step_id, c.next_due, c.next_due_title, cl.id
FROM "case" AS c JOIN clue AS cl ON cl.id = c.clue_id
WHERE c.deleted = 0
ORDER BY cl.received_on DESC, cl.number DESC
"""
SUBJECTS_QUERY = """
SELECT cs.clue_id, cs.person_id, p.name
FROM clue_subject AS cs JOIN person AS p ON p.id = cs.person_id
WHERE cs.deleted = 0
ORDER BY cs.created_at, cs.id
"""


def case_list(store: Store, *, today: date | None = None, rules: RuleSet | None = None) -> list[CaseListRow]:
    """Every live case, newest clue first."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    with store.read() as s:
        rows = s.execute(text(LIST_QUERY)).all()
        subjects = s.execute(text(SUBJECTS_QUERY)).all()
        effects = archive.effect_periods(s, today)
    names, flagged = archive.names_by_clue(subjects, effects)
    wf, cal, soon = rules.workflow, rules.calendar, rules.due_soon_wd
    stage_titles = {st.id: st.title for st in wf.stages}
    states: dict[str, tuple[str, int]] = {}  # many cases share a due date
    out = []
    for case_id, number, clue_number, source, received, stage, step, next_due, due_title, clue_id in rows:
        due = date.fromisoformat(next_due) if next_due else None
        if due is None:
            state, left = "", None
        else:
            if next_due not in states:
                ds = deadline_state(due, today, cal, soon)
                states[next_due] = (ds.state, ds.working_days_left)
            state, left = states[next_due]
        known = wf.steps.get(step)
        out.append(CaseListRow(
            case_id, number or clue_number, clue_number, tuple(names.get(clue_id, ())), tuple(flagged.get(clue_id, ())),
            source, stage, stage_titles.get(stage, stage), step, known.title if known else step,
            bool(known and known.terminal), due, due_title, state, left, date.fromisoformat(received),
        ))
    return out


def like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def matching_case_ids(store: Store, query: str) -> frozenset[str] | None:
    """Ids of the cases matching every word of `query`; None when the query is blank (no filter)."""
    words = list(dict.fromkeys(query.split()))
    if not words:
        return None
    long_words = [w for w in words if len(w) >= MIN_TRIGRAM]
    short_words = [w for w in words if len(w) < MIN_TRIGRAM]
    conditions, params = [], {}
    if long_words:
        conditions.append("s.case_search MATCH :match")
        params["match"] = " AND ".join(fts_phrase(w) for w in long_words)
    for index, word in enumerate(short_words):
        key = f"p{index}"
        conditions.append("(" + " OR ".join(f"s.{col} LIKE :{key} ESCAPE '\\'" for col in SEARCH_COLUMNS) + ")")
        params[key] = like_pattern(word)
    sql = ("SELECT k.case_id FROM case_search AS s JOIN case_search_key AS k ON k.id = s.rowid WHERE "
           + " AND ".join(conditions))
    with store.read() as s:
        # one fetchall instead of a fetch per row: a short word can match every case
        return frozenset(s.execute(text(sql), params).scalars().all())


def index_size(store: Store) -> int:
    """Documents in the search index (one per live case)."""
    with store.read() as s:
        return s.execute(text("SELECT count(*) FROM case_search")).scalar_one()
