"""What a case records about each 被审查调查人: particulars, established facts, evidence and 定性.

Pure validation: raw values from the GUI, the CLI or `apply` come in, canonical values or a
DomainError with a Chinese message naming the item go out. The store keeps the results
(app/services/subjects.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.errors import DomainError

GENDERS = ("男", "女")
# 事业单位 staff are split because their sanction kinds differ by it (《事业单位工作人员处分规定》, 人社部发〔2023〕58号);
# the undivided 事业单位人员 of older records stays valid, so saving a person's particulars keeps it.
PERSON_CATEGORIES = ("乡镇干部", "村（社区）干部", "事业单位管理人员", "事业单位其他工作人员", "事业单位人员", "国有企业管理人员",
                     "其他党员", "其他公职人员", "其他")
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "群众", "民主党派", "其他")
PARTY_STATUSES = POLITICAL_STATUSES[:2]  # the 党员 among them: 正式 and 预备
PROBATIONARY_STATUS = POLITICAL_STATUSES[1]  # [T] 第三十六条 measures instead of 党纪处分
DEPUTY_KINDS = ("党代表", "人大代表", "政协委员")
# 监察法实施条例 (2021) 第五十九条 lists the kinds of evidence; the names follow it.
EVIDENCE_KINDS = (
    "物证", "书证", "证人证言", "被害人陈述", "被调查人陈述、供述和辩解", "鉴定意见",
    "勘验检查、辨认、调查实验等笔录", "视听资料、电子数据",
)
ADJUSTMENT_KINDS = ("从轻", "减轻", "从重", "加重")

# key -> (label, kind); kind: text | month | choice:<tuple name> | bool
PARTICULARS: dict[str, tuple[str, str]] = {
    "gender": ("性别", "choice"),
    "birth": ("出生年月", "month"),
    "ethnicity": ("民族", "text"),
    "native_place": ("籍贯", "text"),
    "education": ("学历", "text"),
    "political_status": ("政治面貌", "choice"),
    "party_joined": ("入党时间", "month"),
    "work_started": ("参加工作时间", "month"),
    "unit_post": ("工作单位及职务", "text"),
    "category": ("人员类别", "choice"),
    "supervision_object": ("是否监察对象", "bool"),
    "village_manager": ("是否村（居）委会管理人员", "bool"),  # 基层群众性自治组织中从事管理的人员 ([Z] 22)
    "holds_party_post": ("是否担任党内职务", "bool"),
    "deputy": ("党代表、人大代表或政协委员", "choice"),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "gender": GENDERS,
    "political_status": POLITICAL_STATUSES,
    "category": PERSON_CATEGORIES,
    "deputy": DEPUTY_KINDS,
}
_MONTH = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:\s*[-./]?\s*\d{1,2}\s*日?)?")
EARLIEST_YEAR = 1900
MAX_TEXT = 4000
MAX_AMOUNT = Decimal("1000000000000")


def invalid(code: str, message: str, **detail: Any) -> DomainError:
    return DomainError(code, message, detail)


def month_value(raw: Any, label: str, today: date) -> str:
    """"1975-03", "1975年3月", "1975.3" -> "1975-03"; empty stays empty."""
    text = str(raw or "").strip()
    if not text:
        return ""
    m = _MONTH.fullmatch(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise invalid("subject_invalid", f"“{label}”“{text}”不是有效的年月，应写成 1975-03 或 1975年3月。", field=label)
    year, month = int(m.group(1)), int(m.group(2))
    if not (EARLIEST_YEAR <= year and (year, month) <= (today.year, today.month)):
        raise invalid("subject_invalid", f"“{label}”“{text}”超出范围：应在{EARLIEST_YEAR}年至今。", field=label)
    return f"{year:04d}-{month:02d}"


def text_value(raw: Any, label: str) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise invalid("subject_invalid", f"“{label}”应为文字。", field=label)
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise invalid("subject_invalid", f"“{label}”过长（{len(text)}字），最多{MAX_TEXT}字。", field=label)
    return text


def particulars(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Canonical values for the given particulars only (a partial update)."""
    unknown = sorted(set(data) - set(PARTICULARS))
    if unknown:
        known = "、".join(f"{k}（{v[0]}）" for k, v in PARTICULARS.items())
        raise invalid("subject_invalid", f"被审查调查人信息中有无法识别的项：{'、'.join(unknown)}。可填：{known}")
    out: dict[str, Any] = {}
    for key, raw in data.items():
        label, kind = PARTICULARS[key]
        if kind == "bool":
            if not isinstance(raw, bool):
                raise invalid("subject_invalid", f"“{label}”应为是或否（true / false）。", field=key)
            out[key] = raw
        elif kind == "month":
            out[key] = month_value(raw, label, today)
        else:
            value = text_value(raw, label)
            if kind == "choice" and value and value not in CHOICES[key]:
                raise invalid("subject_invalid", f"“{label}”只能是：{'、'.join(CHOICES[key])}；“{value}”不在其中。", field=key)
            out[key] = value
    return out


@dataclass(frozen=True)
class FactInput:
    occurred: str
    narrative: str
    amount: str
    evidence_ids: tuple[str, ...]
    attitude: str


def amount_value(raw: Any) -> str:
    """Yuan as decimal text with two places; empty when no money is involved."""
    if raw in (None, ""):
        return ""
    try:
        value = Decimal(str(raw).replace(",", "").replace("，", "").strip())
    except InvalidOperation as exc:
        raise invalid("fact_invalid", f"金额“{raw}”不是有效的数字（单位：元）。") from exc
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise invalid("fact_invalid", f"金额“{raw}”超出范围：应为不小于0的元数。")
    return f"{value.quantize(Decimal('0.01'))}"


def fact(data: Mapping[str, Any]) -> FactInput:
    """`evidence`: ids the caller has found in the case's 证据目录 (it alone knows the numbers)."""
    unknown = sorted(set(data) - {"occurred", "narrative", "amount", "evidence", "attitude"})
    if unknown:
        raise invalid("fact_invalid", f"违纪事实中有无法识别的项：{'、'.join(unknown)}（可填 occurred、narrative、amount、evidence、attitude）。")
    narrative = text_value(data.get("narrative"), "经过")
    if not narrative:
        raise invalid("fact_invalid", "请写明违纪事实的经过（narrative）。")
    evidence = data.get("evidence") or []
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise invalid("fact_invalid", "事实所依据的证据（evidence）应为证据编号的列表。")
    return FactInput(text_value(data.get("occurred"), "时间"), narrative, amount_value(data.get("amount")),
                     tuple(dict.fromkeys(evidence)), text_value(data.get("attitude"), "本人态度"))


@dataclass(frozen=True)
class EvidenceInput:
    kind: str
    title: str
    source: str
    obtained_on: date | None
    pages: int


def evidence(data: Mapping[str, Any], today: date) -> EvidenceInput:
    unknown = sorted(set(data) - {"kind", "title", "source", "obtained_on", "pages", "attachment"})
    if unknown:
        raise invalid("evidence_invalid", f"证据中有无法识别的项：{'、'.join(unknown)}（可填 kind、title、source、obtained_on、pages、attachment）。")
    kind = text_value(data.get("kind"), "证据种类")
    if kind not in EVIDENCE_KINDS:
        raise invalid("evidence_invalid", f"证据种类只能是：{'、'.join(EVIDENCE_KINDS)}；“{kind}”不在其中。")
    title = text_value(data.get("title"), "证据名称")
    if not title:
        raise invalid("evidence_invalid", "请填写证据名称（title），如“××村2025年度账簿复印件”。")
    obtained = None
    raw_date = data.get("obtained_on")
    if raw_date not in (None, ""):
        try:
            obtained = date.fromisoformat(str(raw_date))
        except ValueError as exc:
            raise invalid("evidence_invalid", f"取证日期“{raw_date}”不是有效日期，应写成 2026-03-02 的形式。") from exc
        if not date(2000, 1, 1) <= obtained <= today:
            raise invalid("evidence_invalid", f"取证日期“{raw_date}”超出范围：应在2000年1月1日至今天之间。")
    pages = data.get("pages", 0)
    if type(pages) is not int or not 0 <= pages <= 100000:
        raise invalid("evidence_invalid", f"页数“{pages}”应为0至100000之间的整数。")
    return EvidenceInput(kind, title, text_value(data.get("source"), "来源"), obtained, pages)


def adjustments(raw: Any) -> tuple[dict[str, str], ...]:
    """从轻/减轻/从重/加重 circumstances, each with the basis the decision rests on."""
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list) or not all(isinstance(a, Mapping) for a in raw):
        raise invalid("qualification_invalid", "从轻、减轻、从重、加重情节（adjustments）应为列表，每项含 kind 和 basis。")
    out = []
    for item in raw:
        if set(item) - {"kind", "basis"}:
            raise invalid("qualification_invalid", "每项情节只能含 kind（从轻/减轻/从重/加重）和 basis（依据和事实）。")
        kind = text_value(item.get("kind"), "情节")
        if kind not in ADJUSTMENT_KINDS:
            raise invalid("qualification_invalid", f"情节只能是：{'、'.join(ADJUSTMENT_KINDS)}；“{kind}”不在其中。")
        out.append({"kind": kind, "basis": text_value(item.get("basis"), "依据")})
    return tuple(out)
