"""The columns of an office's old 问题线索台账 and 村（社）干部花名册: the headers offices use for each
field, and which rows of a sheet are not records (blank rows, 合计/小计 rows)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportField:
    id: str
    title: str  # shown in the mapping combo boxes
    aliases: tuple[str, ...]  # headers meaning this field, compared after `header_key`
    required: bool = False


LEDGER_FIELDS: tuple[ImportField, ...] = (
    ImportField("number", "线索编号", ("线索编号", "编号", "登记编号", "线索登记号")),
    ImportField("received_on", "收件日期", ("收件日期", "受理日期", "收到日期", "登记日期", "收件时间", "受理时间",
                                          "来信日期", "收文日期"), required=True),
    ImportField("source", "线索来源", ("线索来源", "来源", "问题线索来源", "来信来访方式", "反映方式")),
    ImportField("reporter", "反映人", ("反映人", "举报人", "来信人", "信访人", "检举控告人")),
    ImportField("name", "被反映人", ("被反映人", "被反映人姓名", "被举报人", "被反映对象", "姓名"), required=True),
    ImportField("unit_post", "单位及职务", ("单位及职务", "工作单位及职务", "单位职务", "所在单位及职务", "单位",
                                          "职务")),
    ImportField("summary", "问题性质/主要问题", ("主要问题", "问题性质", "反映主要问题", "反映的主要问题", "问题摘要",
                                               "主要内容", "反映问题", "线索摘要", "问题类别"), required=True),
    ImportField("disposition", "处置方式", ("处置方式", "拟处置方式", "处置意见", "处置类别")),
    ImportField("result", "办理结果", ("办理结果", "处理结果", "办结情况", "办理情况", "核查结果", "结果")),
    ImportField("filed_on", "立案日期", ("立案日期", "立案时间")),
    ImportField("sanction", "处分种类", ("处分种类", "处分", "给予处分", "处分情况", "处理处分")),
    ImportField("closed_on", "结案日期", ("结案日期", "结案时间", "办结日期", "办结时间", "了结日期")),
    ImportField("note", "备注", ("备注", "说明")),
)

ROSTER_FIELDS: tuple[ImportField, ...] = (
    ImportField("name", "姓名", ("姓名", "干部姓名"), required=True),
    ImportField("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "身份证")),
    ImportField("unit", "村（社区）或单位", ("村（社区）", "村社区", "村别", "所在村", "村名", "村", "单位",
                                            "工作单位", "所在单位"), required=True),
    ImportField("post", "职务", ("职务", "现任职务", "担任职务")),
    ImportField("term", "任期", ("任期", "任职时间", "任职期间", "任期起止")),
    ImportField("political_status", "政治面貌", ("政治面貌", "是否党员", "党员")),
    ImportField("note", "备注", ("备注", "说明")),
)

_NOISE = re.compile(r"[\s\u3000（）()【】\[\]：:、*＊]")
_TOTALS = ("合计", "总计", "小计", "共计")


def header_key(text: str) -> str:
    """A header as compared: no spaces, brackets or marks (“收件\n日期”, “单位（职务）” match)."""
    return _NOISE.sub("", str(text or ""))


def field_by_id(fields: Sequence[ImportField]) -> dict[str, ImportField]:
    return {f.id: f for f in fields}


def guess_field(header: str, fields: Sequence[ImportField]) -> str:
    """The field a header most likely means: an exact alias first, then one a header begins with; "" if none."""
    key = header_key(header)
    if not key:
        return ""
    for f in fields:
        if key in (header_key(a) for a in f.aliases):
            return f.id
    for f in fields:
        if any(key.startswith(header_key(a)) for a in f.aliases if len(header_key(a)) >= 2):
            return f.id
    return ""


def guess_mapping(headers: Iterable[str], fields: Sequence[ImportField]) -> dict[str, str]:
    """Header → field id; each field taken by its first column only, later ones stay unmapped (a note)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for h in headers:
        f = guess_field(h, fields)
        out[h] = f if f and f not in taken else ""
        taken.add(f)
    return out


def is_blank_row(values: Sequence[object]) -> bool:
    return all(str(v if v is not None else "").strip() == "" for v in values)


def is_total_row(values: Sequence[object]) -> bool:
    """A 合计/总计/小计 row: its first filled cell (within the first three) says so; the rest are sums."""
    firsts = [header_key(str(v)) for v in values[:3] if v is not None and str(v).strip()]
    return bool(firsts) and firsts[0].startswith(_TOTALS)


def header_score(values: Sequence[object], fields: Sequence[ImportField]) -> int:
    """How many cells of a row are headers of distinct fields: the header row is the first with most."""
    return len({f for v in values if v is not None and (f := guess_field(str(v), fields))})


# where a unit ends in 单位及职务 text: a village first (青石村党支部书记), else an office or station
_VILLAGE_ENDS = ("村民委员会", "村委会", "居民委员会", "居委会", "社区", "村")
_OFFICE_ENDS = ("办公室", "服务中心", "中心", "所", "站", "办", "局", "队", "学校", "小学", "中学", "医院", "卫生院",
                "公司", "合作社", "镇政府", "乡政府", "镇党委", "乡党委", "镇", "乡")
_SEPARATORS = re.compile(r"[\s\u3000/／,，;；]+")


def split_unit_post(text: str) -> tuple[str, str]:
    """(unit, post) of a 单位及职务 cell: "青石村 党支部书记", "青石村党支部书记", "青石镇财政所工作人员"."""
    text = " ".join(str(text or "").split())
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) >= 2:
        return parts[0], "".join(parts[1:])
    for ends in (_VILLAGE_ENDS, _OFFICE_ENDS):
        at = min(((text.find(e) + len(e)) for e in ends if 0 < text.find(e) and text.find(e) + len(e) < len(text)),
                 default=0) if ends is _VILLAGE_ENDS else \
            max(((text.rfind(e) + len(e)) for e in ends if 0 < text.rfind(e) and text.rfind(e) + len(e) < len(text)),
                default=0)
        if at:
            return text[:at], text[at:]
    return text, ""
