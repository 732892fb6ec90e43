"""Write resources/holidays/YYYY.toml for every year chinesecalendar covers (dev tool, run once).

    /work/venv/bin/python tools/gen_holidays.py [--out resources/holidays]

The output is committed; the app never imports chinesecalendar. Each file is read back through
`parse_holiday_year` before the script reports success. Format: see app/domain/calendar.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import chinese_calendar
from chinese_calendar import Holiday

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.calendar import parse_holiday_year  # noqa: E402

# The package's own Chinese names are abbreviated (清明, 端午, 中秋); use the official names.
CHINESE_NAMES = {
    Holiday.new_years_day: "元旦",
    Holiday.spring_festival: "春节",
    Holiday.tomb_sweeping_day: "清明节",
    Holiday.labour_day: "劳动节",
    Holiday.dragon_boat_festival: "端午节",
    Holiday.national_day: "国庆节",
    Holiday.mid_autumn_festival: "中秋节",
    Holiday.anti_fascist_70th_day: "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def year_tables(year: int) -> tuple[dict[date, str], list[date]]:
    holidays: dict[date, str] = {}
    workdays: list[date] = []
    day = date(year, 1, 1)
    while day.year == year:
        is_holiday, english = chinese_calendar.get_holiday_detail(day)
        if is_holiday and english is not None:
            holidays[day] = CHINESE_NAMES[Holiday(english)]
        elif not is_holiday and day.weekday() >= 5:
            workdays.append(day)
        day += timedelta(days=1)
    return holidays, workdays


def render(year: int, source: str, holidays: dict[date, str], workdays: list[date]) -> str:
    lines = [
        f"# {year} 年法定节假日与调休上班日。由 tools/gen_holidays.py 从 {source} 生成，请勿手工修改。",
        f"year = {year}",
        f"source = {json.dumps(source)}",
        "workdays = [" + ", ".join(d.isoformat() for d in workdays) + "]",
        "",
        "[holidays]",
    ]
    lines += [f'"{d.isoformat()}" = {json.dumps(name, ensure_ascii=False)}' for d, name in holidays.items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "holidays")
    args = parser.parse_args()
    source = f"chinesecalendar {version('chinesecalendar')}"
    covered = chinese_calendar.constants.holidays
    first, last = min(covered).year, max(covered).year
    args.out.mkdir(parents=True, exist_ok=True)
    for year in range(first, last + 1):
        holidays, workdays = year_tables(year)
        text = render(year, source, holidays, workdays)
        parsed = parse_holiday_year(tomllib.loads(text), f"{year}.toml", expected_year=year)
        assert dict(parsed.holidays) == holidays and parsed.workdays == frozenset(workdays)
        (args.out / f"{year}.toml").write_text(text, encoding="utf-8")
    print(f"{first}–{last}: {last - first + 1} files written to {args.out} ({source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
