"""Every date of a received case's state is bounded as it is read (issue 17 §4: a date in 9999
anywhere in a state must be refused before a screen or the calendar overflows on it)."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from app.domain.workflow import CaseState, Extension, HistoryEntry, ProposedSanction, Study, Subject
from app.services import case_codec
from app.paths import resources_dir
from app.services.ruleset import ruleset_from
from app.services.sync import DateOutOfRange, bounded_day, case_problem

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FULL = CaseState(
    "intake", date(2026, 3, 2), fields={"intake.note": "x"},
    studies=(Study("review", date(2026, 3, 3), ("甲", "乙"), "同意"),),
    events={"received": date(2026, 3, 4)},
    extensions=(Extension("d1", 30, "days", "县纪委", date(2026, 3, 5), "复杂"),),
    history=(HistoryEntry("intake", "accept", date(2026, 3, 6)),),
    sanctions=(ProposedSanction("s1", "warning"),),
    subjects=(Subject("s1", "张三", outcome="closed", closed_on=date(2026, 3, 7)),),
)


def date_paths(value, path=()):
    """Where the JSON of a state holds a date (its fields are values of their own, checked by type)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if path or k != "fields":
                yield from date_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from date_paths(v, (*path, i))
    elif isinstance(value, str) and DAY.fullmatch(value):
        yield path


def with_date(data: dict, path: tuple, text: str) -> dict:
    out = copy.deepcopy(data)
    holder = out
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = text
    return out


PATHS = list(date_paths(case_codec.to_json(FULL)))


def test_the_state_holds_a_date_in_every_place_the_engine_keeps_one():
    assert {p[0] for p in PATHS} == {"entered_on", "studies", "events", "extensions", "history", "subjects"}
    assert case_codec.from_json(case_codec.to_json(FULL), day=bounded_day) == FULL


@pytest.mark.parametrize("path", PATHS, ids=lambda p: ".".join(map(str, p)))
@pytest.mark.parametrize("text", ["9999-12-31", "1899-12-31", "2200-01-01"])
def test_every_date_of_the_state_is_bounded_as_it_is_read(path, text):
    with pytest.raises(DateOutOfRange):
        case_codec.from_json(with_date(case_codec.to_json(FULL), path, text), day=bounded_day)


def test_a_received_case_with_such_a_date_is_named_for_it():
    row = {"state": with_date(case_codec.to_json(FULL), ("events", "received"), "9999-12-31"), "step_id": "intake",
           "stage": "intake"}
    assert case_problem(ruleset_from((), resources_dir()), row, date(2026, 12, 4)) == "办理状态中的日期超出1900—2199年"
