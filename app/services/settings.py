"""Office settings kept in the `Setting` table: auto-lock, the due-soon threshold, document fonts.

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
