"""The rules a store works by: workflow, sanction catalog and working-day calendar.

Shipped files come from `resources/`; holiday years an administrator enters (or, later, the
county pushes down) live in the store as settings `holiday_year:YYYY` and take precedence.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import select

from app.domain.calendar import HolidayYear, WorkCalendar, parse_holiday_year
from app.domain.errors import DomainError
from app.domain.rules import Workflow, parse_workflow
from app.domain.sanctions import SanctionCatalog, parse_sanctions
from app.models import Setting
from app.paths import resources_dir
from app.storage.store import Store

HOLIDAY_KEY_PREFIX = "holiday_year:"


@dataclass(frozen=True)
class RuleSet:
    workflow: Workflow
    catalog: SanctionCatalog
    calendar: WorkCalendar
    due_soon_wd: int


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError("rules_invalid", f"规则文件“{path.name}”格式错误：{exc}", {"source": path.name}) from exc
    except OSError as exc:
        raise DomainError("rules_missing", f"找不到规则文件“{path}”：{exc.strerror}", {"source": str(path)}) from exc


@lru_cache(maxsize=4)
def shipped_workflow(path: Path) -> Workflow:
    return parse_workflow(read_toml(path), path.name)


@lru_cache(maxsize=4)
def shipped_catalog(path: Path) -> SanctionCatalog:
    return parse_sanctions(read_toml(path), path.name)


@lru_cache(maxsize=4)
def shipped_holidays(folder: Path) -> dict[int, HolidayYear]:
    years = {}
    for path in sorted(folder.glob("*.toml")):
        years[int(path.stem)] = parse_holiday_year(read_toml(path), path.name, expected_year=int(path.stem))
    return years


def stored_holidays(store: Store) -> dict[int, HolidayYear]:
    with store.read() as s:
        rows = s.exec(select(Setting).where(Setting.key.startswith(HOLIDAY_KEY_PREFIX))).all()
    years = {}
    for row in rows:
        year = int(row.key.removeprefix(HOLIDAY_KEY_PREFIX))
        years[year] = parse_holiday_year(row.value, f"数据库中的{year}年节假日表", expected_year=year)
    return years


def setting(store: Store, key: str, default):
    with store.read() as s:
        row = s.get(Setting, key)
    return row.value if row is not None else default


def load(store: Store) -> RuleSet:
    rules = resources_dir() / "rules"
    years = dict(shipped_holidays(resources_dir() / "holidays"))
    years.update(stored_holidays(store))
    workflow = shipped_workflow(rules / "workflow.toml")
    return RuleSet(
        workflow=workflow,
        catalog=shipped_catalog(rules / "sanctions.toml"),
        calendar=WorkCalendar(years),
        due_soon_wd=int(setting(store, "due_soon_working_days", workflow.due_soon_wd)),
    )
