"""Time-limit arithmetic of 监察法实施条例 Art. 285.

- The start day is not counted.
- "wd": the n-th working day after the start day.
- "days": start + n calendar days.
- "months": the same-numbered day n months later, or that month's last day if it has none.
- A "days"/"months" limit ending on a rest day ends on the next working day instead, except where
  the law says otherwise (留置: `roll_to_workday=False`).

Missing holiday data never raises: weekends alone decide, and each year whose data the result
depended on is reported as a warning code "holiday_data_missing:<year>" for the UI to show.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from app.domain.calendar import WorkCalendar
from app.domain.errors import DomainError

Unit = Literal["wd", "days", "months"]
StateCode = Literal["normal", "due_soon", "overdue"]

STATE_LABELS: dict[str, str] = {"normal": "正常", "due_soon": "即将到期", "overdue": "已超期"}

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Due:
    date: date
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineState:
    state: StateCode
    working_days_left: int  # negative when overdue: working days past the due date

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def add_months(d: date, months: int) -> date:
    """Same-numbered day `months` later, clamped to the month's last day (01-31 + 1 -> 02-28)."""
    year, month_index = divmod(d.month - 1 + months, 12)
    year += d.year
    month = month_index + 1
    return date(year, month, min(d.day, _stdlib_calendar.monthrange(year, month)[1]))


def _missing_warnings(cal: WorkCalendar, first: date, last: date) -> tuple[str, ...]:
    return tuple(f"holiday_data_missing:{y}" for y in cal.missing_years(first, last))


def compute_due(
    start: date, length: int, unit: Unit, cal: WorkCalendar, *, roll_to_workday: bool = True
) -> Due:
    if unit not in get_args(Unit):
        raise DomainError("invalid_time_limit", f"期限单位“{unit}”无效，应为 wd、days 或 months", {"unit": unit})
    if type(length) is not int or length < 1:
        raise DomainError("invalid_time_limit", f"期限长度应为正整数，实为 {length!r}", {"length": length})

    if unit == "wd":
        day, counted = start, 0
        while counted < length:
            day += _ONE_DAY
            if cal.is_workday(day):
                counted += 1
        # Every day counted used the calendar, so every year in the span matters.
        return Due(day, _missing_warnings(cal, start + _ONE_DAY, day))

    nominal = start + timedelta(days=length) if unit == "days" else add_months(start, length)
    if not roll_to_workday:
        return Due(nominal)
    day = nominal
    while not cal.is_workday(day):
        day += _ONE_DAY
    # Days between start and the nominal end do not depend on holidays; only the roll does.
    return Due(day, _missing_warnings(cal, nominal, day))


def compute_extended_due(
    original: Due, length: int, unit: Unit, cal: WorkCalendar, *, roll_to_workday: bool = True
) -> Due:
    """An extension (延长) counted from the original due date; warnings of both are kept."""
    extended = compute_due(original.date, length, unit, cal, roll_to_workday=roll_to_workday)
    return Due(extended.date, tuple(sorted(set(original.warnings) | set(extended.warnings))))


def deadline_state(due: date, today: date, cal: WorkCalendar, due_soon_wd: int = 3) -> DeadlineState:
    if today <= due:
        left = cal.count_workdays(today, due)
        return DeadlineState("due_soon" if left <= due_soon_wd else "normal", left)
    # Past due by a weekend only is still overdue; -1 keeps "negative means overdue" true.
    return DeadlineState("overdue", -max(1, cal.count_workdays(due, today)))
