"""The shipped holiday tables: complete, faithful to chinesecalendar, and bad files refused."""

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from app.domain.calendar import WorkCalendar, parse_holiday_year
from app.domain.errors import DomainError

HOLIDAYS = Path(__file__).resolve().parents[2] / "resources" / "holidays"


def _load(path: Path):
    return parse_holiday_year(tomllib.loads(path.read_text(encoding="utf-8")), path.name, expected_year=int(path.stem))


TABLES = {int(p.stem): _load(p) for p in sorted(HOLIDAYS.glob("*.toml"))}


def test_years_2004_to_2026_shipped_and_parse():
    assert sorted(TABLES) == list(range(2004, 2027))
    assert all(t.source == "chinesecalendar 1.11.0" for t in TABLES.values())


def test_every_day_agrees_with_chinesecalendar():
    cal = WorkCalendar(TABLES)
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 10, 1), "国庆节"),
        (date(2026, 10, 4), "国庆节"),  # a Sunday inside the block is listed with its name too
        (date(2026, 9, 25), "中秋节"),
        (date(2026, 2, 17), "春节"),
        (date(2026, 4, 5), "清明节"),
        (date(2026, 6, 19), "端午节"),
        (date(2015, 9, 3), "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
        (date(2004, 5, 1), "劳动节"),
    ],
)
def test_holiday_names_in_chinese(day, name):
    assert TABLES[day.year].holidays[day] == name


def test_2026_national_day_and_spring_festival_as_published():
    t = TABLES[2026]
    national = {d for d, n in t.holidays.items() if n == "国庆节"}
    assert national == {date(2026, 10, d) for d in range(1, 8)}
    spring = {d for d, n in t.holidays.items() if n == "春节"}
    assert spring == {date(2026, 2, d) for d in range(15, 24)}
    # Make-up working days: Sun 09-20 and Sat 10-10 for 国庆, Sat 02-14 and Sat 02-28 for 春节.
    assert {date(2026, 9, 20), date(2026, 10, 10), date(2026, 2, 14), date(2026, 2, 28)} <= t.workdays
    assert date(2026, 10, 8) not in t.holidays


GOOD = {"year": 2026, "source": "县纪委下发", "workdays": [date(2026, 2, 14)], "holidays": {"2026-02-16": "春节"}}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"holidays": {"2026-02-30": "春节"}}, "holidays", "2026-02-30"),
        ({"holidays": {"2026/02/16": "春节"}}, "holidays", "2026/02/16"),
        ({"holidays": {"2025-12-31": "元旦"}}, "holidays", "不在 2026 年内"),
        ({"holidays": {"2026-02-16": ""}}, "holidays", "名称"),
        ({"workdays": ["2026-13-01"]}, "workdays", "2026-13-01"),
        ({"workdays": [date(2027, 1, 2)]}, "workdays", "不在 2026 年内"),
        ({"workdays": [date(2026, 2, 21)], "holidays": {"2026-02-21": "春节"}}, "workdays", "同时"),
        ({"workdays": [date(2026, 2, 16)], "holidays": {}}, "workdays", "不是周末"),
        ({"workdays": [date(2026, 2, 14), date(2026, 2, 14)]}, "workdays", "重复"),
        ({"year": "2026"}, "year", "四位年份"),
        ({"source": " "}, "source", "非空"),
        ({"workdays": "2026-02-14"}, "workdays", "数组"),
    ],
)
def test_malformed_year_refused_naming_file_and_field(change, field, fragment):
    with pytest.raises(DomainError) as caught:
        parse_holiday_year({**GOOD, **change}, "2026.toml")
    error = caught.value
    assert error.code == "holiday_data_invalid"
    assert "2026.toml" in error.message and field in error.message and fragment in error.message
    assert error.detail["field"] == field and error.detail["source"] == "2026.toml"


def test_missing_field_and_wrong_year_refused():
    incomplete = {k: v for k, v in GOOD.items() if k != "workdays"}
    with pytest.raises(DomainError, match="2026.toml.*workdays.*缺失"):
        parse_holiday_year(incomplete, "2026.toml")
    with pytest.raises(DomainError, match="2027.toml.*year.*2027"):
        parse_holiday_year(GOOD, "2027.toml", expected_year=2027)


def test_datetime_is_not_a_date():
    with pytest.raises(DomainError, match="workdays"):
        parse_holiday_year({**GOOD, "workdays": [datetime(2026, 2, 14, 8, 0)]}, "2026.toml")


def test_hand_written_year_accepted():
    table = parse_holiday_year({**GOOD, "workdays": ["2026-02-14"]}, "管理员录入")
    assert table.workdays == {date(2026, 2, 14)} and table.holidays == {date(2026, 2, 16): "春节"}
