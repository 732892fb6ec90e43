"""Holiday tables: which years are loaded, and a year typed in by an administrator.

The shipped tables (`resources/holidays/YYYY.toml`) cover the years chinesecalendar knows; a
later year arrives from the county or is typed in here from the State Council notice. A typed
year is kept as Setting `holiday_year:YYYY` (read by `ruleset.load`, where it takes precedence)
in the same form as the files, and is validated by `app.domain.calendar.parse_holiday_year`.

Typed form, one entry per line: `2027-01-01 元旦`, or a block `2027-10-01~2027-10-07 国庆节`
(also `至`); make-up working days one date per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.calendar import HolidayYear, parse_holiday_year
from app.domain.errors import DomainError
from app.errors import InputError
from app.paths import resources_dir
from app.services import cases, ruleset
from app.services.admin_only import require_admin
from app.storage import setting_rows
from app.storage.store import Store

YEAR_RANGE = (2000, 2100)
MAX_BLOCK_DAYS = 31
LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|—)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s+(\S.*)$")
DATE_ONLY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@dataclass(frozen=True)
class HolidayYearRow:
    year: int
    origin: str  # 随软件提供 / 本单位录入
    source: str
    holidays: int
    workdays: int


def list_years(store: Store) -> list[HolidayYearRow]:
    shipped = ruleset.shipped_holidays(resources_dir() / "holidays")
    stored = ruleset.stored_holidays(store)
    rows = []
    for year in sorted(set(shipped) | set(stored)):
        table, origin = (stored[year], "本单位录入") if year in stored else (shipped[year], "随软件提供")
        rows.append(HolidayYearRow(year, origin, table.source, len(table.holidays), len(table.workdays)))
    return rows


def year_table(store: Store, year: int) -> HolidayYear | None:
    stored = ruleset.stored_holidays(store)
    if year in stored:
        return stored[year]
    return ruleset.shipped_holidays(resources_dir() / "holidays").get(year)


FIELD_WORDS = {"holidays": "节假日", "workdays": "调休上班日"}


def parse_day(text: str, line_no: int, field: str) -> date:
    try:
        y, m, d = (int(part) for part in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise InputError("holiday_line_invalid",
                         f"{FIELD_WORDS[field]}第{line_no}行的“{text}”不是有效日期，应写成 2027-01-01。",
                         {"field": field, "line": line_no}) from None


def parse_entry(year: int, holidays_text: str, workdays_text: str, source: str) -> dict:
    """The typed lines as the holiday-file dict, or InputError naming the line to fix."""
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InputError("holiday_year_invalid", f"年份须在{YEAR_RANGE[0]}至{YEAR_RANGE[1]}之间。", {"field": "year"})
    holidays: dict[str, str] = {}
    for line_no, raw in enumerate(holidays_text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = LINE.match(line)
        if not match:
            raise InputError("holiday_line_invalid",
                             f"节假日第{line_no}行“{line}”格式不对：应写成“2027-01-01 元旦”或“2027-10-01~2027-10-07 国庆节”。",
                             {"field": "holidays", "line": line_no})
        first = parse_day(match.group(1), line_no, "holidays")
        last = parse_day(match.group(2), line_no, "holidays") if match.group(2) else first
        if last < first or (last - first).days >= MAX_BLOCK_DAYS:
            raise InputError("holiday_line_invalid", f"节假日第{line_no}行的起止日期有误：结束日期应不早于开始日期，且一段不超过{MAX_BLOCK_DAYS}天。",
                             {"field": "holidays", "line": line_no})
        day = first
        while day <= last:
            holidays[day.isoformat()] = match.group(3).strip()
            day += timedelta(days=1)
    if not holidays:
        raise InputError("holiday_empty", "请至少录入一个节假日（按国务院办公厅当年的放假安排通知）。", {"field": "holidays"})
    workdays = []
    for line_no, raw in enumerate(workdays_text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not DATE_ONLY.match(line):
            raise InputError("holiday_line_invalid", f"调休上班日第{line_no}行“{line}”格式不对：每行写一个日期，如 2027-02-07。",
                             {"field": "workdays", "line": line_no})
        workdays.append(parse_day(line, line_no, "workdays").isoformat())
    source = source.strip() or "本单位管理员手工录入"
    return {"year": year, "source": source, "holidays": holidays, "workdays": workdays}


def save_year(store: Store, year: int, holidays_text: str, workdays_text: str, source: str = "") -> HolidayYearRow:
    """Validate and keep a typed year (administrators only); it replaces any table of that year."""
    require_admin(store)
    data = parse_entry(year, holidays_text, workdays_text, source)
    try:
        table = parse_holiday_year(data, f"{year}年节假日表", expected_year=year)
    except DomainError as exc:
        raise InputError(exc.code, exc.message + "。请改正后再保存。", dict(exc.detail)) from exc
    key = f"{ruleset.HOLIDAY_KEY_PREFIX}{year}"
    with store.write() as s:
        setting_rows.put(s, key, data)
    cases.refresh_due_dates(store)
    return HolidayYearRow(year, "本单位录入", table.source, len(table.holidays), len(table.workdays))


def entry_text(table: HolidayYear) -> tuple[str, str]:
    """A table back in the typed form (blocks of consecutive days with one name on one line)."""
    lines = []
    days = sorted(table.holidays)
    start = prev = None
    for day in days + [None]:
        name = table.holidays.get(day) if day else None
        if start is not None and (day is None or day != prev + timedelta(days=1) or name != table.holidays[start]):
            lines.append(f"{start.isoformat()} {table.holidays[start]}" if start == prev
                         else f"{start.isoformat()}~{prev.isoformat()} {table.holidays[start]}")
            start = None
        if day is not None and start is None:
            start = day
        prev = day
    return "\n".join(lines), "\n".join(d.isoformat() for d in sorted(table.workdays))
