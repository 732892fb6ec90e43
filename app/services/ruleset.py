"""The rules a store works by: workflow, sanction catalog and working-day calendar.

Shipped files come from `resources/`; holiday years an administrator enters (or the county pushes
down) live in the store as settings `holiday_year:YYYY` and take precedence. Likewise the county's own
rules texts (`rules install`, or pushed down in bundles and set-up packages) live as settings
`rules_file:workflow.toml` / `rules_file:sanctions.toml` and replace the shipped files. The catalog
of violated articles (`articles.toml`, generated from the regulation texts by tools/build_articles.py)
is always the shipped one.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import String, and_, cast, or_
from sqlmodel import Session, select

from app.domain.articles import ArticleCatalog, parse_articles
from app.domain.calendar import HolidayYear, WorkCalendar, parse_holiday_year
from app.domain.errors import DomainError, toml_problem
from app.domain.rules import Workflow, for_county_review, parse_workflow
from app.domain.sanctions import SanctionCatalog, parse_sanctions
from app.models import Case, Setting
from app.paths import resources_dir
from app.services.admin_only import require_admin
from app.storage import setting_rows
from app.storage.store import Store
from app.sync.limits import MAX_RULES_BYTES

HOLIDAY_KEY_PREFIX = "holiday_year:"
RULES_KEY_PREFIX = "rules_file:"
DUE_SOON_KEY = "due_soon_working_days"
# 乡案县审 is local practice (按本地做法): off, the review step offers the township's own approval instead
COUNTY_REVIEW_KEY = "county_review_practised"
RULES_FILES = ("workflow.toml", "sanctions.toml")
RULES_TITLES = {"workflow.toml": "办案流程规则", "sanctions.toml": "处分种类规则"}


@dataclass(frozen=True)
class RuleSet:
    workflow: Workflow
    catalog: SanctionCatalog
    calendar: WorkCalendar
    due_soon_wd: int
    articles: ArticleCatalog


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
def shipped_articles(path: Path) -> ArticleCatalog:
    return parse_articles(read_toml(path), path.name)


@lru_cache(maxsize=4)
def shipped_holidays(folder: Path) -> dict[int, HolidayYear]:
    years = {}
    for path in sorted(folder.glob("*.toml")):
        years[int(path.stem)] = parse_holiday_year(read_toml(path), path.name, expected_year=int(path.stem))
    return years


def stored_holidays(store: Store) -> dict[int, HolidayYear]:
    with store.read() as s:
        return stored_holidays_in(s)


def stored_holidays_in(s: Session) -> dict[int, HolidayYear]:
    rows = s.exec(select(Setting).where(Setting.key.startswith(HOLIDAY_KEY_PREFIX))).all()
    years = {}
    for row in rows:
        year = int(row.key.removeprefix(HOLIDAY_KEY_PREFIX))
        years[year] = parse_holiday_year(row.value, f"数据库中的{year}年节假日表", expected_year=year)
    return years


def setting(store: Store, key: str, default):
    with store.read() as s:
        return setting_in(s, key, default)


def setting_in(s: Session, key: str, default):
    row = s.get(Setting, key)
    return row.value if row is not None else default


# --- rules texts held in the store -----------------------------------------------------------

@lru_cache(maxsize=8)
def parsed_text(name: str, digest: str, text: str) -> Workflow | SanctionCatalog:
    """Parsed rules text, cached by its hash so the GUI does not re-parse on every `load`."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:  # RecursionError: arrays nested too deep
        raise DomainError("rules_invalid", f"规则文件“{name}”格式错误：{toml_problem(exc)}", {"source": name}) from exc
    return parse_workflow(data, name) if name == "workflow.toml" else parse_sanctions(data, name)


def parse_text(name: str, text: str) -> Workflow | SanctionCatalog:
    """Parse a workflow.toml or sanctions.toml text; DomainError says what is wrong."""
    if name not in RULES_FILES:
        raise DomainError("rules_unknown", f"“{name}”不是规则文件，只能是 workflow.toml 或 sanctions.toml。", {"source": name})
    if len(text.encode("utf-8")) > MAX_RULES_BYTES:
        raise DomainError("rules_too_large", f"规则文件“{name}”超过 1 MB，不予接受。", {"source": name})
    return parsed_text(name, hashlib.sha256(text.encode("utf-8")).hexdigest(), text)


def shipped_text(name: str) -> str:
    return (resources_dir() / "rules" / name).read_text(encoding="utf-8")


def stored_texts(s: Session) -> dict[str, str]:
    rows = s.exec(select(Setting).where(Setting.key.startswith(RULES_KEY_PREFIX))).all()
    texts = {r.key.removeprefix(RULES_KEY_PREFIX): r.value for r in rows}
    return {name: text for name, text in texts.items() if name in RULES_FILES and isinstance(text, str)}


def effective_texts(s: Session) -> dict[str, str]:
    """The rules texts this store works by (stored or shipped): what a county pushes down."""
    stored = stored_texts(s)
    return {name: stored.get(name) or shipped_text(name) for name in RULES_FILES}


def stranded_step(s: Session, workflow: Workflow) -> str | None:
    """A step id some open case is at that `workflow` does not have: adopting it would strand that case."""
    steps = s.exec(select(Case.step_id).where(Case.closed_on.is_(None), Case.deleted == False)).all()  # noqa: E712
    return next((step for step in sorted(set(steps)) if step not in workflow.steps), None)


def stranded_message(s: Session, workflow: Workflow) -> str | None:
    step = stranded_step(s, workflow)
    if step is None:
        return None
    current = load_in(s).workflow.steps.get(step)
    title = f"“{current.title}”（{step}）" if current is not None else f"“{step}”"
    return (f"新的办案流程规则（版本{workflow.version}）中没有环节{title}，而仍有未结案件处于该环节，"
            f"规则未更新，仍按原规则办理。请先办结或调整这些案件，或修改规则文件后重新下发。")


def rules_changes(s: Session, texts: dict[str, str], where: str) -> tuple[dict[str, str], list[str]]:
    """Which offered rules texts to adopt (valid, different from the current ones, stranding no open
    case) and a Chinese warning for each one refused; the store is not touched."""
    current = effective_texts(s)
    adopt: dict[str, str] = {}
    warnings: list[str] = []
    for name, text in sorted(texts.items()):
        title = RULES_TITLES.get(name, name)
        try:
            parsed = parse_text(name, text)
        except DomainError as exc:
            warnings.append(f"{where}中的{title}（{name}）有误，未接受，仍按原规则办理：{exc.message}")
            continue
        if text == current.get(name):
            continue
        if isinstance(parsed, Workflow):
            problem = stranded_message(s, parsed)
            if problem:
                warnings.append(f"{where}中的{title}（{name}）未接受：{problem}")
                continue
        adopt[name] = text
    return adopt, warnings


def store_texts(s: Session, texts: dict[str, str]) -> int:
    """Store rules texts as settings (audited like any row); returns how many changed."""
    return sum(setting_rows.put(s, RULES_KEY_PREFIX + name, text) for name, text in texts.items())


@dataclass(frozen=True)
class InstallResult:
    file: str
    version: str
    changed: bool


def install(store: Store, path: Path) -> InstallResult:
    """`rules install`: an administrator puts a checked workflow.toml or sanctions.toml into the store,
    from where it travels down in bundles and set-up packages."""
    from app.errors import InputError
    require_admin(store)
    path = Path(path)
    name = path.name
    if name not in RULES_FILES:
        raise InputError("rules_unknown", f"“{name}”不是规则文件：文件名只能是 workflow.toml 或 sanctions.toml。")
    try:
        if path.stat().st_size > MAX_RULES_BYTES:
            raise InputError("rules_too_large", f"规则文件“{path}”超过 1 MB，请检查是否选错了文件。")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("no_file", f"无法读取规则文件“{path}”：{exc.strerror}。请检查路径。") from exc
    except UnicodeDecodeError as exc:
        raise InputError("rules_invalid", f"规则文件“{path}”不是 UTF-8 文本，请用 UTF-8 编码保存后重试。") from exc
    try:
        parsed = parse_text(name, text)
    except DomainError as exc:
        raise InputError(exc.code, f"{exc.message}（规则未安装，请改正后重试。）") from exc
    with store.write() as s:
        if isinstance(parsed, Workflow):
            problem = stranded_message(s, parsed)
            if problem:
                raise InputError("rules_strand_cases", problem)
        changed = store_texts(s, {name: text}) > 0
    return InstallResult(name, parsed.version if isinstance(parsed, Workflow) else "", changed)


def warm_shipped() -> None:
    """Parse the shipped rules and holiday files into their caches ahead of the first `load`
    (the GUI does it while the password is typed, app/ui/preload.py)."""
    rules = resources_dir() / "rules"
    shipped_holidays(resources_dir() / "holidays")
    shipped_workflow(rules / "workflow.toml")
    shipped_catalog(rules / "sanctions.toml")
    shipped_articles(rules / "articles.toml")


def prefix_range(column, prefix: str):
    """`column` starts with `prefix`, as a range the primary-key index answers (a LIKE cannot use it
    and reads every row, the installed templates' large values included)."""
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def rules_inputs(s: Session) -> tuple[tuple[str, str], ...]:
    """The stored settings a RuleSet is made from, as their stored JSON texts: one indexed query,
    nothing decoded. These texts are the cache key of `ruleset_from`, so any change to one of
    them — typed here, installed, or arriving in a bundle, by this process or another — makes a
    new RuleSet on the next load."""
    raw = cast(Setting.value, String)
    rows = s.exec(select(Setting.key, raw).where(or_(prefix_range(Setting.key, HOLIDAY_KEY_PREFIX),
                                                      prefix_range(Setting.key, RULES_KEY_PREFIX),
                                                      Setting.key.in_((DUE_SOON_KEY, COUNTY_REVIEW_KEY))))).all()
    return tuple(sorted((key, text) for key, text in rows))


@lru_cache(maxsize=8)
def ruleset_from(inputs: tuple[tuple[str, str], ...], resources: Path) -> RuleSet:
    """The RuleSet of those stored settings over the shipped files of `resources`."""
    values = {key: json.loads(text) for key, text in inputs}
    years = dict(shipped_holidays(resources / "holidays"))
    for key, value in values.items():
        if key.startswith(HOLIDAY_KEY_PREFIX):
            year = int(key.removeprefix(HOLIDAY_KEY_PREFIX))
            years[year] = parse_holiday_year(value, f"数据库中的{year}年节假日表", expected_year=year)
    stored = {name: text for key, text in values.items() if key.startswith(RULES_KEY_PREFIX)
              and (name := key.removeprefix(RULES_KEY_PREFIX)) in RULES_FILES and isinstance(text, str)}
    rules = resources / "rules"
    workflow = parse_text("workflow.toml", stored["workflow.toml"]) if "workflow.toml" in stored \
        else shipped_workflow(rules / "workflow.toml")
    catalog = parse_text("sanctions.toml", stored["sanctions.toml"]) if "sanctions.toml" in stored \
        else shipped_catalog(rules / "sanctions.toml")
    workflow = for_county_review(workflow, values.get(COUNTY_REVIEW_KEY) is not False)  # damaged: the default, on
    return RuleSet(
        workflow=workflow,
        catalog=catalog,
        calendar=WorkCalendar(years),
        due_soon_wd=int(values[DUE_SOON_KEY] if DUE_SOON_KEY in values else workflow.due_soon_wd),
        articles=shipped_articles(rules / "articles.toml"),
    )


def load_in(s: Session) -> RuleSet:
    """The rules the store works by. Parsed once per distinct stored rules/holiday settings (a
    frozen RuleSet shared by every caller): each action and each reload of the case view loads
    them, and parsing them again each time was most of a small action's work."""
    return ruleset_from(rules_inputs(s), resources_dir())


def load(store: Store) -> RuleSet:
    with store.read() as s:
        return load_in(s)
