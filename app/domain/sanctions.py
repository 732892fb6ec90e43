"""Sanction catalog (resources/rules/sanctions.toml), approval powers, effect periods, four forms.

Effect periods use the month arithmetic of deadlines.add_months without rolling to a working day.
A period runs from the decision day through its end day inclusive (the start day not counted, as
in Art. 285: a 警告 decided 2025-03-01 is in effect through 2026-03-01). A record whose end equals
its decision day has no effect period; one without an end (开除) is in effect for good.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.domain.deadlines import add_months
from app.domain.errors import DomainError
from app.domain.subjects import PERSON_CATEGORIES

KIND_LABELS: dict[str, str] = {
    "party": "党纪处分",
    "gov": "政务处分",
    "public_institution": "事业单位处分",
    "org": "组织处理",
    "form1": "第一种形态措施",
    "judicial": "移送司法",
    # a 预备党员 is not given a 党纪处分 but one of these ([T] 第三十六条, [P] 第四十八条)
    "probationary": "预备党员处理",
}
APPROVER_LABELS: dict[str, str] = {
    "township_commission": "乡镇纪委",
    "township_committee": "乡镇党委",
    "county": "县纪委",
}
APPROVER_BY_BODY = {label: approver for approver, label in APPROVER_LABELS.items()}
APPROVER_RANK = {"township_commission": 1, "township_committee": 2, "county": 3}
APPROVER_CITATIONS: dict[str, str] = {
    "township_commission": "《中国共产党处分违纪党员批准权限和程序规定》第三十八条",
    "township_committee": "《中国共产党处分违纪党员批准权限和程序规定》第六条、第十二条、第二十八条",
    "county": "《中国共产党处分违纪党员批准权限和程序规定》第十四条、第三十八条",
}
# The kinds whose approving body the party route (乡案县审 / 乡镇报批) decides. A 政务处分 is a
# separate decision of the 监察 organ, effective from its own date ([Z] 第八条), so proposing one
# never moves a party case up to the county. 延长预备期 and 取消预备党员资格 are approved by the
# 基层党委 ([P] 第四十八条第二款), so the same bodies are checked for them.
PARTY_ROUTE_KINDS = frozenset({"party", "probationary"})
# 严重警告 given because the member holds no party post: 24 months, approved as 撤销党内职务 ([T] 11, [P] 12).
IN_LIEU_OF_REMOVAL = "party_serious_warning_in_lieu"
# What a new violation found during a 留党察看期 leads to ([T] 12 ¶2, [P] 21 ¶3).
EXPULSION = "party_expulsion"
PROBLEM_LABELS: dict[str, str] = {
    "approval_power_exceeded": "超出乡镇批准权限，应按“乡镇报批”程序报县纪委审批",
    "not_allowed_for_village_manager": "对村（居）委会管理人员只能给予警告、记过或记大过政务处分",
}

_ID = re.compile(r"[a-z][a-z0-9_]*")
_REQUIRED = {
    "id": str,
    "name": str,
    "kind": str,
    "severity": int,
    "effect_months": int,
    "form": int,
    "approver": str,
    "village_manager_allowed": bool,
    "citation": str,
}
_OPTIONAL = {"permanent": bool, "note": str, "categories": list, "probation_months": int}
_TYPE_NAMES = {str: "文字", int: "整数", bool: "true 或 false", list: "数组"}


@dataclass(frozen=True)
class SanctionType:
    id: str
    name: str
    kind: str
    severity: int
    effect_months: int
    permanent: bool
    form: int
    approver: str
    village_manager_allowed: bool
    citation: str
    note: str | None = None
    categories: tuple[str, ...] = ()  # 人员类别 it may be given to; () for anyone
    probation_months: int = 0  # 留党察看期; 0 for every other type

    def category_problem(self, category: str) -> str | None:
        """Why a person of 人员类别 `category` cannot take this type; None when they can."""
        if not self.categories or category in self.categories:
            return None
        given = f"人员类别为“{category}”" if category else "尚未填写人员类别"
        return (f"“{self.name}”只能给予人员类别为{'或'.join(f'“{c}”' for c in self.categories)}的人员（{self.citation}），"
                f"该人员{given}；请先在基本信息中填写或更正人员类别")


@dataclass(frozen=True)
class SanctionRecord:
    type_id: str
    decided_on: date
    effect_end: date | None
    person_key: str


class SanctionCatalog:
    def __init__(self, types: Mapping[str, SanctionType], accumulating_kinds: frozenset[str],
                 combined_max_months: Mapping[str, int] | None = None):
        self.types: Mapping[str, SanctionType] = MappingProxyType(dict(types))
        self.accumulating_kinds = accumulating_kinds
        # kind -> the longest an accumulated period may run from the new decision ([Z] 15: 48 months)
        self.combined_max_months: Mapping[str, int] = MappingProxyType(dict(combined_max_months or {}))

    def get(self, type_id: str) -> SanctionType:
        try:
            return self.types[type_id]
        except KeyError:
            raise DomainError("unknown_sanction", f"未知的处分种类“{type_id}”", {"type_id": type_id}) from None

    def of_kind(self, kind: str) -> tuple[SanctionType, ...]:
        """Types of one kind, lightest first (for choice lists)."""
        return tuple(sorted((t for t in self.types.values() if t.kind == kind), key=lambda t: t.severity))


def _invalid(source_name: str, type_id: str | None, problem: str) -> DomainError:
    where = f"种类 {type_id} " if type_id else ""
    return DomainError(
        "sanction_catalog_invalid",
        f"处分种类文件“{source_name}”有误：{where}{problem}",
        {"source": source_name, "id": type_id, "problem": problem},
    )


def _check_field(source_name: str, type_id: str | None, entry: dict, field: str, expected: type) -> None:
    value = entry[field]
    # bool is an int subclass; "form = true" must not pass as 1.
    if type(value) is not expected:
        raise _invalid(source_name, type_id, f"的 {field} 应为{_TYPE_NAMES[expected]}，实为 {value!r}")
    if expected is str and not value.strip():
        raise _invalid(source_name, type_id, f"的 {field} 不能为空")


def _parse_type(source_name: str, index: int, entry: object) -> SanctionType:
    if not isinstance(entry, dict):
        raise _invalid(source_name, None, f"第 {index} 个 [[types]] 不是表")
    type_id = entry.get("id") if isinstance(entry.get("id"), str) else None
    label = type_id or f"（第 {index} 个）"
    for field, expected in _REQUIRED.items():
        if field not in entry:
            raise _invalid(source_name, label, f"缺少字段 {field}")
        _check_field(source_name, label, entry, field, expected)
    for field, expected in _OPTIONAL.items():
        if field in entry:
            _check_field(source_name, label, entry, field, expected)
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _invalid(source_name, label, f"含未知字段 {'、'.join(unknown)}")
    if not _ID.fullmatch(entry["id"]):
        raise _invalid(source_name, label, "的 id 只能由小写字母、数字和下划线组成，且以字母开头")
    if entry["kind"] not in KIND_LABELS:
        raise _invalid(source_name, label, f"的 kind“{entry['kind']}”未知，应为 {'、'.join(KIND_LABELS)} 之一")
    if not 1 <= entry["form"] <= 4:
        raise _invalid(source_name, label, f"的 form 应为 1–4，实为 {entry['form']}")
    if entry["approver"] not in APPROVER_LABELS:
        raise _invalid(
            source_name, label, f"的 approver“{entry['approver']}”未知，应为 {'、'.join(APPROVER_LABELS)} 之一"
        )
    if entry["severity"] < 1:
        raise _invalid(source_name, label, "的 severity 应为正整数")
    if entry["effect_months"] < 0:
        raise _invalid(source_name, label, "的 effect_months 不能为负数")
    permanent = entry.get("permanent", False)
    if permanent and entry["effect_months"]:
        raise _invalid(source_name, label, "为 permanent（永久生效）时 effect_months 应为 0")
    categories = entry.get("categories", [])
    unknown_categories = [c for c in categories if c not in PERSON_CATEGORIES]
    if unknown_categories or not all(isinstance(c, str) for c in categories):
        raise _invalid(source_name, label, f"的 categories 只能列人员类别 {'、'.join(PERSON_CATEGORIES)}，"
                                           f"实为 {'、'.join(map(str, unknown_categories)) or categories!r}")
    probation = entry.get("probation_months", 0)
    if probation and not (entry["kind"] == "party" and 0 < probation < entry["effect_months"]):
        raise _invalid(source_name, label, "的 probation_months（察看期）只适用于党纪处分，应为正整数且短于 effect_months")
    return SanctionType(
        id=entry["id"],
        name=entry["name"].strip(),
        kind=entry["kind"],
        severity=entry["severity"],
        effect_months=entry["effect_months"],
        permanent=permanent,
        form=entry["form"],
        approver=entry["approver"],
        village_manager_allowed=entry["village_manager_allowed"],
        citation=entry["citation"].strip(),
        note=entry["note"].strip() if "note" in entry else None,
        categories=tuple(categories),
        probation_months=probation,
    )


def parse_sanctions(data: dict, source_name: str) -> SanctionCatalog:
    raw_types = data.get("types")
    if not isinstance(raw_types, list) or not raw_types:
        raise _invalid(source_name, None, "缺少 [[types]] 列表")
    types: dict[str, SanctionType] = {}
    for index, entry in enumerate(raw_types, start=1):
        parsed = _parse_type(source_name, index, entry)
        if parsed.id in types:
            raise _invalid(source_name, parsed.id, "的 id 重复")
        types[parsed.id] = parsed
    accumulating = data.get("accumulating_kinds", [])
    if not isinstance(accumulating, list) or any(not isinstance(k, str) or k not in KIND_LABELS for k in accumulating):
        raise _invalid(source_name, None, f"accumulating_kinds 应为 {'、'.join(KIND_LABELS)} 中若干项的数组")
    caps = data.get("combined_max_months", {})
    if not isinstance(caps, dict) or any(k not in KIND_LABELS or type(v) is not int or v < 1 for k, v in caps.items()):
        raise _invalid(source_name, None, f"combined_max_months 应为表，键为 {'、'.join(KIND_LABELS)} 之一，值为正整数（月）")
    return SanctionCatalog(types, frozenset(accumulating), caps)


def approval_check(
    cat: SanctionCatalog, type_id: str, *, important_or_complex: bool = False, village_manager: bool = False
) -> tuple[str, ...]:
    """Problem codes for a township deciding `type_id` itself; empty when it may."""
    sanction = cat.get(type_id)
    problems: list[str] = []
    # Important or complex cases go to the county whatever the sanction ([P] 28, 38; 乡镇报批);
    # a 政务处分 is the 监察 organ's own decision and does not count against the party route.
    if sanction.kind != "gov" and (sanction.approver == "county" or important_or_complex):
        problems.append("approval_power_exceeded")
    if village_manager and not sanction.village_manager_allowed:
        problems.append("not_allowed_for_village_manager")
    return tuple(problems)


def in_effect(records: Sequence[SanctionRecord], on: date) -> tuple[SanctionRecord, ...]:
    return tuple(r for r in records if _covers(r, on))


def _covers(record: SanctionRecord, on: date) -> bool:
    if on < record.decided_on:
        return False
    if record.effect_end is None:
        return True
    return record.decided_on < record.effect_end and on <= record.effect_end


def effect_period(
    cat: SanctionCatalog, type_id: str, decided_on: date, prior: Sequence[SanctionRecord]
) -> tuple[date, date | None]:
    """(start, end) of the effect period of a new sanction for the person whose records are `prior`.

    In an accumulating kind, a new sanction decided while an earlier one of the same kind is still in
    effect ends at new start + the earlier one's remaining time + the new length ([T] 21), i.e. the
    new length counted on from the earlier end, at most `combined_max_months` from the new start.
    开除党籍 for a violation found during a 留党察看期 replaces the probation rather than adding to
    it ([T] 12 ¶2).
    """
    if len({r.person_key for r in prior}) > 1:
        raise ValueError("prior records must all belong to one person")
    sanction = cat.get(type_id)
    if sanction.permanent:
        return decided_on, None
    if sanction.effect_months == 0:
        return decided_on, decided_on
    base = decided_on
    if sanction.kind in cat.accumulating_kinds:
        running = [
            r.effect_end
            for r in in_effect(prior, decided_on)
            if r.effect_end is not None and cat.get(r.type_id).kind == sanction.kind
            and not (type_id == EXPULSION and cat.get(r.type_id).probation_months)
        ]
        if running:
            base = max(running)
    end = add_months(base, sanction.effect_months)
    cap = cat.combined_max_months.get(sanction.kind)
    if cap and base != decided_on:
        end = min(end, add_months(decided_on, cap))
    return decided_on, end


def four_forms(cat: SanctionCatalog, type_ids: Iterable[str | Collection[str]]) -> dict[int, int]:
    """人次 per form 1–4. Each item is one person-time: a type id, or the ids decided together for
    one person (e.g. 开除党籍 with 移送司法), counted once at its highest form."""
    counts = dict.fromkeys(range(1, 5), 0)
    for item in type_ids:
        group = (item,) if isinstance(item, str) else tuple(item)
        counts[max(cat.get(t).form for t in group)] += 1
    return counts
