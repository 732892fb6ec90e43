"""Art. 285 deadline arithmetic on the shipped 2004–2026 holiday tables (2027 has none)."""

import tomllib
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import WorkCalendar, parse_holiday_year
from app.domain.deadlines import Due, add_months, compute_due, compute_extended_due, deadline_state
from app.domain.errors import DomainError

HOLIDAYS = Path(__file__).resolve().parents[2] / "resources" / "holidays"


TABLES = {
    table.year: table
    for table in (
        parse_holiday_year(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
        for path in HOLIDAYS.glob("*.toml")
    )
}
CAL = WorkCalendar(TABLES)


def test_disposition_month_crossing_national_day_is_not_extended_by_the_holiday():
    # Clue received Mon 2026-09-28; 1 calendar month -> Wed 2026-10-28. The 国庆 break (Oct 1–7)
    # lies inside the period, and a calendar-month limit does not skip holidays inside it; 10-28 is
    # an ordinary working day, so nothing rolls.
    assert compute_due(date(2026, 9, 28), 1, "months", CAL) == Due(date(2026, 10, 28))


def test_month_ending_inside_national_day_rolls_to_first_working_day():
    # 2026-09-03 + 1 month = Sat 2026-10-03, inside 国庆 (Oct 1–7); Thu 10-08 is the first working day.
    assert compute_due(date(2026, 9, 3), 1, "months", CAL).date == date(2026, 10, 8)


def test_month_ending_on_make_up_saturday_stays():
    # 2026-09-10 + 1 month = Sat 2026-10-10, a 调休上班 day after 国庆, hence a working day.
    assert compute_due(date(2026, 9, 10), 1, "months", CAL).date == date(2026, 10, 10)


def test_month_end_clamped_to_february_28_which_is_a_make_up_saturday():
    # February 2026 has no 31st -> its last day, Sat 2026-02-28; that Saturday is a Spring Festival
    # make-up working day, so no roll to Monday 03-02.
    assert compute_due(date(2026, 1, 31), 1, "months", CAL) == Due(date(2026, 2, 28))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2025, 12, 15), 2, date(2026, 2, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2026, 5, 17), 12, date(2027, 5, 17)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_fifteen_working_days_across_2026_spring_festival():
    # From Mon 2026-02-09: Feb 10–13 (4), Sat Feb 14 make-up (5), Feb 15–23 holiday, Feb 24–27 (9),
    # Sat Feb 28 make-up (10), Mar 2–6 (15).
    assert compute_due(date(2026, 2, 9), 15, "wd", CAL) == Due(date(2026, 3, 6))


def test_five_working_days_over_national_day():
    # From Wed 2026-09-30: Oct 1–7 holiday, Oct 8, 9, Sat Oct 10 (make-up), 12, 13.
    assert compute_due(date(2026, 9, 30), 5, "wd", CAL) == Due(date(2026, 10, 13))


def test_calendar_days_rolled_out_of_holiday():
    # 15 calendar days from 2026-09-20 = Mon 2026-10-05, inside 国庆 -> Thu 10-08.
    assert compute_due(date(2026, 9, 20), 15, "days", CAL).date == date(2026, 10, 8)


def test_detention_period_is_not_rolled():
    # 留置: 3 months from 2026-07-03 end on Sat 2026-10-03 even though it is a holiday.
    assert compute_due(date(2026, 7, 3), 3, "months", CAL, roll_to_workday=False) == Due(date(2026, 10, 3))


def test_working_days_into_year_without_data_warn_and_use_weekends_only():
    # From Mon 2026-12-21: Dec 22–25 (4), Dec 28–31 (8); 2027 has no table, so Fri 2027-01-01
    # (really 元旦) counts (9), Jan 4–8 (14), Mon Jan 11 (15).
    due = compute_due(date(2026, 12, 21), 15, "wd", CAL)
    assert due == Due(date(2027, 1, 11), ("holiday_data_missing:2027",))


def test_month_limit_ending_in_year_without_data_warns():
    due = compute_due(date(2026, 12, 15), 1, "months", CAL)
    assert due == Due(date(2027, 1, 15), ("holiday_data_missing:2027",))


def test_month_limit_warns_only_about_years_the_result_depends_on():
    gap_2025 = WorkCalendar({2024: TABLES[2024], 2026: TABLES[2026]})
    # 24 calendar months from 2024-06-03 end on Wed 2026-06-03; 2025 lies between but is not consulted.
    assert compute_due(date(2024, 6, 3), 24, "months", gap_2025) == Due(date(2026, 6, 3))
    # Working days are counted through 2025 day by day, so there its absence matters.
    assert compute_due(date(2024, 12, 30), 5, "wd", gap_2025).warnings == ("holiday_data_missing:2025",)


def test_extension_counts_from_original_due_and_keeps_warnings():
    original = Due(date(2026, 10, 28), ("holiday_data_missing:2027",))
    # 2026-10-28 + 1 month = Sat 2026-11-28 -> Mon 11-30.
    extended = compute_extended_due(original, 1, "months", CAL)
    assert extended == Due(date(2026, 11, 30), ("holiday_data_missing:2027",))


@pytest.mark.parametrize(("length", "unit"), [(0, "wd"), (-3, "days"), (2, "weeks")])
def test_invalid_limits_refused(length, unit):
    with pytest.raises(DomainError) as caught:
        compute_due(date(2026, 1, 5), length, unit, CAL)
    assert caught.value.code == "invalid_time_limit"


def test_year_without_data_falls_back_to_weekends():
    assert CAL.has_year(2026) and not CAL.has_year(2027)
    assert CAL.missing_years(date(2025, 12, 1), date(2028, 1, 1)) == (2027, 2028)
    assert CAL.is_workday(date(2027, 1, 1))  # a Friday; the real 元旦 is unknown without data
    assert not CAL.is_workday(date(2027, 1, 2))
    assert CAL.holiday_name(date(2026, 10, 3)) == "国庆节"


@pytest.mark.parametrize(
    ("today", "state", "left"),
    [
        (date(2026, 10, 8), "normal", 4),  # Oct 9, Sat 10 (make-up), 12, 13
        (date(2026, 10, 9), "due_soon", 3),
        (date(2026, 10, 13), "due_soon", 0),
        (date(2026, 10, 14), "overdue", -1),
        (date(2026, 10, 16), "overdue", -3),
        (date(2026, 9, 30), "normal", 5),  # the 国庆 days in between are not counted
    ],
)
def test_deadline_state_boundaries(today, state, left):
    result = deadline_state(date(2026, 10, 13), today, CAL)
    assert (result.state, result.working_days_left) == (state, left)


def test_overdue_by_a_weekend_only_is_still_overdue():
    # Due Fri 2026-10-16; on Sat 10-17 and Mon 10-19 one working day at most has passed.
    assert deadline_state(date(2026, 10, 16), date(2026, 10, 17), CAL).working_days_left == -1
    assert deadline_state(date(2026, 10, 16), date(2026, 10, 19), CAL).label == "已超期"
    assert deadline_state(date(2026, 10, 16), date(2026, 10, 20), CAL).working_days_left == -2


def _naive_count(after: date, through: date) -> int:
    count, day = 0, after
    while day < through:
        day += timedelta(days=1)
        count += CAL.is_workday(day)
    return count


@settings(max_examples=300, deadline=None)
@given(start=st.dates(date(2004, 1, 1), date(2026, 10, 31)), n=st.integers(1, 40))
def test_working_day_due_is_the_nth_working_day(start, n):
    due = compute_due(start, n, "wd", CAL)
    assert CAL.is_workday(due.date)
    assert _naive_count(start, due.date) == n
    assert CAL.count_workdays(start, due.date) == n
    # Independent oracle: the package the tables were generated from. Its find_workday(k, d) takes the
    # first working day on or after d, then k more.
    assert due.date == chinese_calendar.find_workday(n - 1, start + timedelta(days=1))


@settings(max_examples=300, deadline=None)
@given(a=st.dates(date(2025, 6, 1), date(2028, 6, 1)), span=st.integers(-10, 400))
def test_fast_workday_count_matches_day_by_day_count(a, span):
    b = a + timedelta(days=span)
    assert CAL.count_workdays(a, b) == _naive_count(a, b)
