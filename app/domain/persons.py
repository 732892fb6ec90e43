"""Integrity archive (廉政档案) matching: recognise the same person across clues and sanctions.

A person key is the 身份证号 when known, otherwise name + unit, normalised so that copy-pasted text
(full-width letters, stray or full-width spaces, zero-width characters, different middle dots in
minority names) still matches. Records keyed by id number and by name + unit are not merged here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.errors import DomainError
from app.domain.sanctions import SanctionRecord, in_effect

FLAG_LABELS: dict[str, str] = {"repeat": "多次被反映", "in_effect_period": "处分影响期内"}

# 阿卜杜·热合曼 is typed with any of these dots.
_MIDDLE_DOTS = str.maketrans({c: "·" for c in "•‧・∙⋅"})


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_MIDDLE_DOTS)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def person_key(name: str, unit: str, id_number: str | None = None) -> str:
    id_key = _normalise(id_number or "").upper()
    if id_key:
        return id_key
    name_key = _normalise(name)
    if not name_key:
        raise DomainError("person_name_missing", "姓名不能为空", {"unit": unit})
    return f"{name_key}|{_normalise(unit)}"


def find_repeats(entries: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """(person_key, item_id) pairs -> the keys with two or more distinct items, items in input order."""
    items: dict[str, list[str]] = {}
    for key, item_id in entries:
        seen = items.setdefault(key, [])
        if item_id not in seen:
            seen.append(item_id)
    return {key: tuple(ids) for key, ids in items.items() if len(ids) > 1}


@dataclass(frozen=True)
class PersonFlags:
    person_key: str
    flags: tuple[str, ...]
    in_effect: tuple[SanctionRecord, ...]


def flags_for(person_key: str, clues_count: int, records: Sequence[SanctionRecord], today: date) -> PersonFlags:
    """Warnings to show next to a person: reported more than once; under an unexpired sanction."""
    running = in_effect([r for r in records if r.person_key == person_key], today)
    flags = []
    if clues_count > 1:
        flags.append("repeat")
    if running:
        flags.append("in_effect_period")
    return PersonFlags(person_key, tuple(flags), running)
