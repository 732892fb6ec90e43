"""The integrity archive (廉政档案): one Person row per real person, matched across clues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.domain import persons as rules
from app.domain import text_hygiene as hygiene
from app.domain.sanctions import SanctionRecord
from app.errors import InputError
from app.models import ClueSubject, Person, Sanction
from app.storage.store import Store

PERSON_FIELDS = ("name", "unit", "post", "rank", "category", "political_status", "id_number")
PERSON_TEXT_KINDS = {"name": hygiene.NAME, "id_number": hygiene.NUMBER}


@dataclass(frozen=True)
class PersonFlagRow:
    person_id: str
    name: str
    unit: str
    flags: tuple[str, ...]
    labels: tuple[str, ...]


def upsert(s: Session, store: Store, data: dict) -> Person:
    """The registry row for `data` (created when new; blank fields filled from newer data)."""
    unknown = sorted(set(data) - set(PERSON_FIELDS))
    if unknown:
        raise InputError("person_invalid", f"被反映人信息中有无法识别的项：{'、'.join(unknown)}")
    values = {k: hygiene.clean(str(data.get(k) or ""), PERSON_TEXT_KINDS.get(k, hygiene.SHORT), hygiene.LABELS[k])
              for k in PERSON_FIELDS}
    key = rules.person_key(values["name"], values["unit"], values["id_number"] or None)
    person = s.exec(select(Person).where(Person.owner_office_id == store.office.id, Person.person_key == key)).first()
    if person is None:
        person = Person(owner_office_id=store.office.id, person_key=key, **values)
        s.add(person)
        return person
    changed = {k: v for k, v in values.items() if v and not getattr(person, k)}
    for k, v in changed.items():
        setattr(person, k, v)
    if changed:
        s.add(person)
    return person


def sanction_records(s: Session, person_ids: Iterable[str]) -> dict[str, list[SanctionRecord]]:
    ids = list(person_ids)
    rows = s.exec(
        select(Sanction, Person.person_key)
        .join(Person, Person.id == Sanction.person_id)
        .where(Sanction.person_id.in_(ids), Sanction.decided_on.is_not(None), Sanction.deleted == False)  # noqa: E712
    ).all()
    out: dict[str, list[SanctionRecord]] = {i: [] for i in ids}
    for sanction, key in rows:
        out[sanction.person_id].append(SanctionRecord(sanction.type_id, sanction.decided_on, sanction.effect_end, key))
    return out


def flags(s: Session, people: list[Person], today: date) -> list[PersonFlagRow]:
    """Repeat and effect-period warnings for each person, as the UI and CLI show them."""
    ids = [p.id for p in people]
    counts = dict(
        s.exec(
            select(ClueSubject.person_id, func.count(ClueSubject.id))
            .where(ClueSubject.person_id.in_(ids), ClueSubject.deleted == False)  # noqa: E712
            .group_by(ClueSubject.person_id)
        ).all()
    )
    records = sanction_records(s, ids)
    rows = []
    for p in people:
        f = rules.flags_for(p.person_key, counts.get(p.id, 0), records[p.id], today)
        rows.append(PersonFlagRow(p.id, p.name, p.unit, f.flags, tuple(rules.FLAG_LABELS[x] for x in f.flags)))
    return rows
