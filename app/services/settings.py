"""Office settings kept in the `Setting` table: auto-lock, the due-soon threshold, document fonts,
the statistics' way of counting 上级转办/交办 filings, when to remind of a 回访教育.

Values that are missing or damaged in the store read as their defaults, so a bad row never
stops the app; saving validates every value and writes only the keys that changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from sqlmodel import Session, select

from app.errors import InputError
from app.models import Setting
from app.services.admin_only import require_admin
from app.services.setup import DEFAULT_SETTINGS
from app.storage import setting_rows
from app.storage.store import Store

AUTO_LOCK_RANGE = (1, 120)
DUE_SOON_RANGE = (1, 30)
REVISIT_RANGE = (0, 24)
FONT_MAX_LENGTH = 40
FONT_KEYS = ("font_body", "font_title", "font_heading", "font_kai")


@dataclass(frozen=True)
class OfficeSettings:
    auto_lock_minutes: int = DEFAULT_SETTINGS["auto_lock_minutes"]
    due_soon_working_days: int = DEFAULT_SETTINGS["due_soon_working_days"]
    font_body: str = DEFAULT_SETTINGS["font_body"]
    font_title: str = DEFAULT_SETTINGS["font_title"]
    font_heading: str = DEFAULT_SETTINGS["font_heading"]
    font_kai: str = DEFAULT_SETTINGS["font_kai"]
    # 按本地做法: a filing on a clue handed down (上级转办/交办) and handled here counts as 自办
    # (docs/STATISTICS.md §7); off for a county that counts such filings apart.
    count_referred_as_self: bool = True
    # 按本地做法: months after a sanction's decision the 工作台 reminds of its 回访教育 (app/services/revisits.py);
    # 0, the default, reminds of none: no text in the regulations folder sets a time
    revisit_reminder_months: int = 0
    # 按本地做法: the county practises 乡案县审 (the review goes to the county's 审理室 once); off, the township's
    # review goes straight to the branch meeting and the township's approval (app/services/ruleset.py COUNTY_REVIEW_KEY)
    county_review_practised: bool = True


KEYS = tuple(f.name for f in fields(OfficeSettings))


def int_problem(value, low: int, high: int, what: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{what}须为{low}到{high}之间的整数。"
    return None


def font_problem(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "字体名称不能为空。"
    if len(value.strip()) > FONT_MAX_LENGTH:
        return f"字体名称过长：最多{FONT_MAX_LENGTH}个字符。"
    if any(ord(c) < 32 for c in value):
        return "字体名称不能含有换行符等控制字符。"
    return None


def problems(values: OfficeSettings) -> dict[str, str]:
    """Field name → Chinese sentence for every value that cannot be saved."""
    found = {}
    lock = int_problem(values.auto_lock_minutes, *AUTO_LOCK_RANGE, "自动锁定时间（分钟）")
    if lock:
        found["auto_lock_minutes"] = lock
    due = int_problem(values.due_soon_working_days, *DUE_SOON_RANGE, "临期提醒（工作日）")
    if due:
        found["due_soon_working_days"] = due
    for key in FONT_KEYS:
        problem = font_problem(getattr(values, key))
        if problem:
            found[key] = problem
    revisit = int_problem(values.revisit_reminder_months, *REVISIT_RANGE, "回访教育提醒（处分决定后几个月，0为不提醒）")
    if revisit:
        found["revisit_reminder_months"] = revisit
    if not isinstance(values.county_review_practised, bool):
        found["county_review_practised"] = "“本县实行乡案县审”只能选是或否。"
    if not isinstance(values.count_referred_as_self, bool):
        found["count_referred_as_self"] = "“上级转办、交办的线索立案计入自办立案”只能选是或否。"
    return found


def load(store: Store) -> OfficeSettings:
    with store.read() as s:
        return read(s)


def read(s: Session) -> OfficeSettings:
    """The office settings as seen inside an open transaction."""
    rows = {row.key: row.value for row in s.exec(select(Setting).where(Setting.key.in_(KEYS))).all()}
    defaults = OfficeSettings()
    candidate = {key: rows.get(key, getattr(defaults, key)) for key in KEYS}
    # a damaged value falls back to its default instead of failing every screen that reads it
    bad = problems(OfficeSettings(**candidate))
    return OfficeSettings(**{key: getattr(defaults, key) if key in bad else candidate[key] for key in KEYS})


def save(store: Store, values: OfficeSettings) -> OfficeSettings:
    """Validate and store; only 书记/管理员 may change office settings."""
    require_admin(store)
    cleaned = OfficeSettings(**{k: v.strip() if isinstance(v, str) else v for k, v in asdict(values).items()})
    found = problems(cleaned)
    if found:
        first = next(iter(found))
        raise InputError("bad_setting", found[first], {"field": first, "problems": found})
    current = load(store)
    changed = {k: v for k, v in asdict(cleaned).items() if getattr(current, k) != v}
    if changed:
        with store.write() as s:
            for key, value in changed.items():
                setting_rows.put(s, key, value)
    return cleaned
