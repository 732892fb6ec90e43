"""sync.dates_in finds every date of a received case's state, however deep (issue 17 §4: a date in
9999 anywhere in a state must be refused before a screen overflows on it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.services.sync import dates_in


@dataclass(frozen=True)
class Visit:
    step_id: str
    on: date
    notes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    entered_on: date
    history: tuple = ()
    fields: dict = field(default_factory=dict)
    marks: frozenset = frozenset()


def test_every_date_is_found_at_every_depth_and_nothing_else():
    deep = State(date(2026, 3, 2), history=(Visit("a", date(2026, 3, 3), {"x": [1, "t", {"y": (date(9999, 12, 31),)}]}),
                                            Visit("b", date(2026, 3, 4))),
                 fields={"f": None, "g": [date(1899, 1, 1)], "h": 1.5}, marks=frozenset({date(2026, 1, 1), "m"}))
    found = sorted(dates_in(deep))
    assert found == [date(1899, 1, 1), date(2026, 1, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4),
                     date(9999, 12, 31)]
    assert list(dates_in(datetime(2026, 3, 2, 8))) == [datetime(2026, 3, 2, 8)]  # a time is a date too
    assert list(dates_in({"a": ["x", 1, True, None]})) == []
