"""Document numbers: per office, per counter kind, per year, gap-free and never duplicated.

The Counter row moves inside the caller's write transaction. Store.write() begins with BEGIN
IMMEDIATE, so a second writer (another thread or process) waits for this one to commit or roll
back: two documents made at once get consecutive numbers, and a failed rendering gives its number
back with the rollback.
"""

from __future__ import annotations

from sqlmodel import Session

from app.documents.manifest import CASE_NUMBER, PRACTICE_PATTERN, TemplateEntry, format_number
from app.models import Counter

PRACTICE_KIND = "doc:practice"


def next_seq(s: Session, office_id: str, kind: str, year: int) -> int:
    counter = s.get(Counter, (office_id, kind, year))
    if counter is None:
        counter = Counter(office_id=office_id, kind=kind, year=year, value=0)
    counter.value += 1
    s.add(counter)
    s.flush()
    return counter.value


def allocate(s: Session, entry: TemplateEntry, *, office_id: str, office_abbr: str, office_code: str, year: int,
             practice: bool, case_number: str = "") -> str:
    """The next number of `entry` ("" for an unnumbered template); practice documents all get 练习〔年〕N号."""
    if practice:
        return format_number(PRACTICE_PATTERN, office_abbr=office_abbr, office_code=office_code, year=year,
                             seq=next_seq(s, office_id, PRACTICE_KIND, year))
    if not entry.number:
        return ""
    if entry.number == CASE_NUMBER:
        return case_number
    return format_number(entry.number, office_abbr=office_abbr, office_code=office_code, year=year,
                         seq=next_seq(s, office_id, entry.counter_kind, year))
