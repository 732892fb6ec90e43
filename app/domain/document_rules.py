"""When the rules let a case make a document: the step it belongs to, and a condition on the person.

A `[[steps.<id>.documents]]` entry of workflow.toml may name conditions in `when` (all must hold):

    filed           the person is 立案 (立案决定书, 立案通知书)
    not_filed       the person was never 立案 (问题线索了结报告)
    supervision_filed  监察立案 is approved for the person (监察立案调查决定书)
    party_sanction  a 党纪处分 is decided or proposed for the person (党纪处分决定书, 执行通知)
    gov_sanction    a 政务处分 is decided or proposed for the person (政务处分决定书)
    sanctioned      some sanction or 处理 is decided or proposed for the person (剖析报告)
    no_sanction     none is (免予处分或不予处分决定)
    <step>.<field>=<value>   the case field holds that value (函询函: talk_inquiry.method=函询)

Pure: the caller gathers `DocumentFacts` from the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FLAGS = {
    "filed": "该人员尚未立案",
    "not_filed": "该人员已立案，应制作结案报告",
    "supervision_filed": "该人员尚未经监察机关主要负责人批准监察立案",
    "party_sanction": "该人员没有党纪处分（已作出或拟给予）",
    "gov_sanction": "该人员没有政务处分（已作出或拟给予）",
    "sanctioned": "该人员没有给予任何处分或处理",
    "no_sanction": "该人员已给予处分，应制作处分决定书而不是免予（不予）处分决定",
}


@dataclass(frozen=True)
class DocumentFacts:
    """What the conditions read of one case and (where the document is about one) one person."""

    visited_steps: frozenset[str]
    fields: Mapping[str, object] = field(default_factory=dict)  # "<step>.<field>" → value
    filed: bool = False
    supervision_filed: bool = False
    party_sanction: bool = False
    gov_sanction: bool = False
    other_sanction: bool = False  # 组织处理, 诫勉 and other kinds

    def holds(self, flag: str) -> bool:
        if flag == "sanctioned":
            return self.party_sanction or self.gov_sanction or self.other_sanction
        if flag == "no_sanction":
            return not self.holds("sanctioned")
        if flag == "not_filed":
            return not self.filed
        return bool(getattr(self, flag))


def condition_problem(condition: str, known_fields: set[str] | None = None) -> str | None:
    """Why a `when` entry cannot be read (None when it can)."""
    if condition in FLAGS:
        return None
    path, sep, value = condition.partition("=")
    if not sep or not value or path.count(".") != 1:
        return f"条件“{condition}”无法识别（可用：{'、'.join(FLAGS)}，或“环节.字段=取值”）"
    if known_fields is not None and path not in known_fields:
        return f"条件“{condition}”中的字段“{path}”不存在"
    return None


def refusal(step_id: str, step_title: str, when: tuple[str, ...], facts: DocumentFacts,
            labels: Mapping[str, str] | None = None) -> str | None:
    """The reason the document may not be made now, in Chinese; None when it may.

    `labels` name the fields as the case screen does ("谈话函询：方式").
    """
    if step_id not in facts.visited_steps:
        return f"本案尚未进入“{step_title}”环节，不能制作这份文书"
    for condition in when:
        if condition in FLAGS:
            if not facts.holds(condition):
                return FLAGS[condition]
            continue
        path, _, value = condition.partition("=")
        held = facts.fields.get(path)
        if str(held if held is not None else "") != value:
            shown = (labels or {}).get(path, path)
            return f"本案的“{shown}”{'为“' + str(held) + '”，' if held not in (None, '') else '尚未填写，'}不是“{value}”"
    return None
