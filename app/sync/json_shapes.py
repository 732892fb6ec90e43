"""The shape each JSON column of a received record must have: what this app's screens, documents and
statistics read out of it (issue 17 §1, "JSON columns decode into the engine's types"). A township's
signed bundle could otherwise hold a clue whose categories are numbers, or a person's 定性 without its
article, and every county screen that shows it would fail. Keys the readers do not use are let
through (an older version may have written more). A case's state is checked against the rules in
force on import instead (`services.sync.case_problem`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec

from app.domain.statistics import RATIO_LABELS
from app.domain.subjects import ADJUSTMENT_KINDS
from app.sync.limits import MAX_INTEGER, MAX_YEAR, MIN_YEAR


Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_INTEGER)]
Month = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
# A statistics snapshot's counts (domain.statistics.compute) are summed key by key through the nested
# maps and divided into shares by the county and the city, and each breakdown is sorted by its
# counts: every value must be a count, a ratio a count or null, a breakdown a map of counts, the
# monthly one a map of months to maps of counts.
MONTHLY = "monthly"
Breakdown = dict[str, Count]
Monthly = dict[Month, dict[str, Count]]


class Article(msgspec.Struct):  # one 定性 of a case_subject: the article cited and the 情节 under it
    article: str
    plot: str


class Adjustment(msgspec.Struct):  # 从轻/减轻/从重/加重 and the basis it rests on
    kind: str
    basis: str


class ProbationAct(msgspec.Struct):  # as domain.probation.ProbationAct.as_json writes it
    outcome: str
    decided_on: str
    body: str = ""
    document_no: str = ""
    branch_meeting_on: str | None = None
    case_id: str = ""


class Backfill(msgspec.Struct):  # a case brought in from an old 台账 (services.backfill); {} otherwise
    file: str
    row: int
    by: str
    on: str
    steps: list[str]
    note: str = ""


SHAPES: dict[tuple[str, str], Any] = {
    ("clue", "categories"): list[str],
    ("case", "backfill"): Backfill,  # or {}, a case not brought in from a 台账 (`problem`)
    ("case_subject", "articles"): list[Article],
    ("case_subject", "adjustments"): list[Adjustment],
    ("subject_fact", "evidence_ids"): list[str],
    ("step_record", "checklist"): list[str],
    ("step_record", "fields"): dict[str, Any],
    ("collective_study", "attendees"): list[str],
    ("sanction", "probation_acts"): list[ProbationAct],
    ("statistics_snapshot", "indicators"): dict[str, Any],  # `misplaced_indicator`
}


def problem(table: str, key: str, value: dict | list) -> str | None:
    """Why `value` cannot be this column's value, in Chinese, or None."""
    shape = SHAPES.get((table, key))
    if shape is None or (shape is Backfill and value == {}):
        return None
    try:
        held = msgspec.convert(value, shape)
    except msgspec.ValidationError as exc:  # "Expected `str`, got `int` - at `$[0]`": the place is what helps
        _, at, where = str(exc).rpartition(" - at ")
        where = where if at else "$"
        return f"字段 {key} 的内容格式有误（位置 {where.strip('`')}）"
    if key == "indicators" and (where := misplaced_indicator(held)) is not None:
        return f"字段 {key} 的内容格式有误（位置 {where}）"
    if key == "adjustments" and any(a.kind not in ADJUSTMENT_KINDS for a in held):
        return f"字段 {key} 的情节只能是{'、'.join(ADJUSTMENT_KINDS)}"
    if key == "probation_acts":
        for act in held:
            days = [act.decided_on, act.branch_meeting_on] if act.branch_meeting_on else [act.decided_on]
            for day in days:
                if not valid_day(day):
                    return f"字段 {key} 中的日期“{day}”无效或超出{MIN_YEAR}—{MAX_YEAR}年"
    return None


def misplaced_indicator(indicators: dict[str, Any]) -> str | None:
    """The place of the first value of a snapshot's indicators not of the shape above, or None."""
    def fits(value, shape) -> bool:
        try:
            msgspec.convert(value, shape)
        except msgspec.ValidationError:
            return False
        return True

    for key, value in indicators.items():
        if key != "breakdowns":
            if not fits(value, Count | None if key in RATIO_LABELS else Count):
                return f"$.{key}"
            continue
        if not fits(value, dict[str, Any]):
            return "$.breakdowns"
        for name, counts in value.items():
            if not fits(counts, Monthly if name == MONTHLY else Breakdown):
                return f"$.breakdowns.{name}"
    return None


def valid_day(text: str) -> bool:
    try:
        return MIN_YEAR <= date.fromisoformat(text).year <= MAX_YEAR
    except ValueError:
        return False
