"""Chinese working-day calendar built from per-year holiday tables.

A year's table comes from `resources/holidays/YYYY.toml` (seeded from chinesecalendar, later years
pushed down by the county or typed in by an administrator). File format, as parsed by `tomllib`:

    year = 2026
    source = "chinesecalendar 1.11.0"
    workdays = [2026-01-04, 2026-02-14]      # make-up working days (调休上班), TOML local dates
    [holidays]
    "2026-01-01" = "元旦"                     # every rest day of a holiday block -> holiday name

`holidays` keys are "YYYY-MM-DD" strings because TOML keys cannot be dates; `workdays` items may
be TOML dates or "YYYY-MM-DD" strings. A holiday block lists its weekend days too, so the name can
be shown for them; for `is_workday` they are rest days either way.

A year without a table falls back to "Monday to Friday are working days". Callers that depend on a
result (deadlines) report such years as warnings instead of failing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from app.domain.errors import DomainError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REQUIRED_FIELDS = ("year", "source", "holidays", "workdays")


@dataclass(frozen=True)
class HolidayYear:
    year: int
    holidays: Mapping[date, str]
    workdays: frozenset[date]
    source: str


def _invalid(source_name: str, field: str, problem: str) -> DomainError:
    return DomainError(
        "holiday_data_invalid",
        f"节假日数据“{source_name}”有误：字段 {field} {problem}",
        {"source": source_name, "field": field, "problem": problem},
    )


def _as_date(value: object) -> date | None:
    # tomllib gives datetime for "2026-01-04T00:00"; a time of day is a mistake here, not a date.
    if type(value) is date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def parse_holiday_year(data: dict, source_name: str, *, expected_year: int | None = None) -> HolidayYear:
    """Validate one parsed holiday file. `expected_year` (e.g. from the file name) must match `year`."""
    for field in _REQUIRED_FIELDS:
        if field not in data:
            raise _invalid(source_name, field, "缺失")
    year = data["year"]
    if type(year) is not int or not 1900 <= year <= 9999:
        raise _invalid(source_name, "year", f"应为四位年份，实为 {year!r}")
    if expected_year is not None and year != expected_year:
        raise _invalid(source_name, "year", f"为 {year}，与应有的年份 {expected_year} 不符")
    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise _invalid(source_name, "source", "应为非空文字（数据来源）")

    raw_holidays = data["holidays"]
    if not isinstance(raw_holidays, dict):
        raise _invalid(source_name, "holidays", "应为表（日期 = 节日名称）")
    holidays: dict[date, str] = {}
    for key, name in raw_holidays.items():
        day = _as_date(key)
        if day is None:
            raise _invalid(source_name, "holidays", f"中的“{key}”不是 YYYY-MM-DD 格式的有效日期")
        if day.year != year:
            raise _invalid(source_name, "holidays", f"中的 {day.isoformat()} 不在 {year} 年内")
        if not isinstance(name, str) or not name.strip():
            raise _invalid(source_name, "holidays", f"中 {day.isoformat()} 的节日名称应为非空文字")
        holidays[day] = name.strip()

    raw_workdays = data["workdays"]
    if not isinstance(raw_workdays, list):
        raise _invalid(source_name, "workdays", "应为日期数组（调休上班日）")
    workdays: set[date] = set()
    for index, value in enumerate(raw_workdays, start=1):
        day = _as_date(value)
        if day is None:
            raise _invalid(source_name, "workdays", f"第 {index} 项“{value}”不是有效日期")
        if day.year != year:
            raise _invalid(source_name, "workdays", f"中的 {day.isoformat()} 不在 {year} 年内")
        if day in workdays:
            raise _invalid(source_name, "workdays", f"中的 {day.isoformat()} 重复")
        if day in holidays:
            raise _invalid(source_name, "workdays", f"中的 {day.isoformat()} 同时被列为节假日“{holidays[day]}”")
        # A weekday is a working day anyway; listing one means the author meant another date.
        if day.weekday() < 5:
            raise _invalid(source_name, "workdays", f"中的 {day.isoformat()} 不是周末，无需调休上班")
        workdays.add(day)

    return HolidayYear(year, MappingProxyType(holidays), frozenset(workdays), source.strip())


def _weekdays_before(d: date) -> int:
    """Mondays-to-Fridays in [0001-01-01, d); 0001-01-01 was a Monday."""
    weeks, rest = divmod(d.toordinal() - 1, 7)
    return weeks * 5 + min(rest, 5)


class WorkCalendar:
    def __init__(self, years: Mapping[int, HolidayYear]):
        for key, table in years.items():
            if key != table.year:
                raise ValueError(f"holiday table for {table.year} registered under {key}")
        self._years = frozenset(years)
        self._names: dict[date, str] = {}
        workdays: set[date] = set()
        for table in years.values():
            self._names.update(table.holidays)
            workdays.update(table.workdays)
        self._workdays = frozenset(workdays)
        # Only the exceptions to "Mon–Fri works" matter for counting; kept sorted for bisect.
        self._rest_weekdays = sorted(d for d in self._names if d.weekday() < 5 and d not in self._workdays)
        self._work_weekends = sorted(d for d in self._workdays if d.weekday() >= 5)

    def has_year(self, year: int) -> bool:
        return year in self._years

    def missing_years(self, start: date, end: date) -> tuple[int, ...]:
        low, high = sorted((start.year, end.year))
        return tuple(y for y in range(low, high + 1) if y not in self._years)

    def is_workday(self, d: date) -> bool:
        if d in self._workdays:
            return True
        return d.weekday() < 5 and d not in self._names

    def holiday_name(self, d: date) -> str | None:
        """The holiday a rest day belongs to (e.g. "国庆节"), None for ordinary days."""
        return self._names.get(d)

    def count_workdays(self, after: date, through: date) -> int:
        """Working days d with after < d <= through (0 when through <= after); O(log n)."""
        if through <= after:
            return 0
        weekdays = _weekdays_before(through + timedelta(days=1)) - _weekdays_before(after + timedelta(days=1))
        rest = bisect.bisect_right(self._rest_weekdays, through) - bisect.bisect_right(self._rest_weekdays, after)
        work = bisect.bisect_right(self._work_weekends, through) - bisect.bisect_right(self._work_weekends, after)
        return weekdays - rest + work
