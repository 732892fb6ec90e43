"""What a row of an old 台账 becomes: the decisions its recorded outcome implies, walked through the
workflow from the first step with the row's own dates, so the case enters at the step it stands at.

The gates of those steps are not run (what was done before this app cannot be checked now); the
steps passed are returned so the case can say which checks were not made at the time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

from app.domain.errors import DomainError
from app.domain.rules import Workflow
from app.domain.workflow import CaseState, HistoryEntry

# which date of the row each decision of a route is taken on
RECEIVED, FILED, CLOSED = "received", "filed", "closed"
ARCHIVE = (("to_archive", CLOSED), ("archive", CLOSED))
OPENING = (("accept", RECEIVED),)
FILING = (("accept", RECEIVED), ("to_prelim", RECEIVED), ("propose_filing", FILED), ("file", FILED))
# 处置方式 as ledgers write it → the disposition decision ([R] 第二十一条: the four methods)
DISPOSITIONS = (("谈话", "to_talk"), ("函询", "to_talk"), ("初核", "to_prelim"), ("初步核实", "to_prelim"),
                ("核实", "to_prelim"), ("立案", "to_prelim"), ("暂存", "to_shelve"), ("待查", "to_shelve"),
                ("了结", "to_close"))
# the decision that ends each disposition once the ledger says the matter is concluded
CLOSINGS = {"to_talk": "accept_closed", "to_prelim": "close", "to_shelve": "cleanup_close", "to_close": ""}
CONCLUDED_WORDS = ("了结", "办结", "已结", "结案", "不属实", "属实", "失实", "查否", "澄清", "终结", "处分", "归档")
REVOKED_WORDS = ("撤销案件", "撤案")
# 处分种类 as ledgers write them → sanction type ids of resources/rules/sanctions.toml, longest first
SANCTION_WORDS = (
    ("留党察看二年", "party_probation_2y"), ("留党察看两年", "party_probation_2y"), ("留党察看一年", "party_probation_1y"),
    ("撤销党内职务", "party_removal"), ("开除党籍", "party_expulsion"), ("党内严重警告", "party_serious_warning"),
    ("严重警告", "party_serious_warning"), ("党内警告", "party_warning"), ("政务警告", "gov_warning"),
    ("记大过", "gov_major_demerit"), ("记过", "gov_demerit"), ("降级", "gov_demotion"), ("撤职", "gov_dismissal"),
    ("政务开除", "gov_expulsion"), ("开除公职", "gov_expulsion"), ("诫勉", "form1_admonish"),
    ("批评教育", "form1_criticism"), ("提醒谈话", "form1_reminder"), ("警示谈话", "form1_warning_talk"),
    ("责令检查", "form1_self_criticism"), ("通报", "form1_circular"), ("警告", "party_warning"),
)
NO_SANCTION = ("无", "无处分", "不予处分", "免予处分", "-", "—", "/")


class OutcomeUnclear(DomainError):
    """The row's outcome needs a date or a word the ledger does not give; `column` names the field."""

    def __init__(self, column: str, message: str):
        super().__init__("legacy_outcome", message, {"column": column})
        self.column = column


@dataclass(frozen=True)
class LegacyRecord:
    received_on: date
    disposition: str = ""
    result: str = ""
    filed_on: date | None = None
    closed_on: date | None = None
    sanctions: tuple[tuple[str, str], ...] = ()  # (person's name as the row gives it, sanction type id)


@dataclass(frozen=True)
class Walked:
    state: CaseState
    decisions: tuple[HistoryEntry, ...]
    passed: tuple[str, ...]  # step ids left by a decision, whose checks were not made in this app


NAME_SEPARATORS = re.compile(r"[、，,；;/]+")


def person_names(text: str) -> tuple[str, ...]:
    """The persons a 被反映人 cell names ("张三、李四", "张三 李四"). Nobody's name is one character, so
    a space next to a single character is inside a name: ledgers pad a two-character name to the
    width of three ("李  四", "李　四") or set a surname apart ("王 小明", "司马 光")."""
    names: list[str] = []
    for part in NAME_SEPARATORS.split(text):
        tokens = part.split()  # any white space, the ideographic one included
        joined: list[str] = []
        at = 0
        while at < len(tokens):
            run = 0
            while at + run < len(tokens) and len(tokens[at + run]) == 1:
                run += 1
            if run == 0:
                joined.append(tokens[at])
                at += 1
            elif run > 1:  # 李 四
                joined.append("".join(tokens[at:at + run]))
                at += run
            elif at + 1 < len(tokens):  # 王 小明: a surname before its name
                joined.append(tokens[at] + tokens[at + 1])
                at += 2
            elif joined:  # 司马 光: the end of the name before
                joined[-1] += tokens[at]
                at += 1
            else:
                joined.append(tokens[at])
                at += 1
        names += joined
    return tuple(dict.fromkeys(n for n in names if n))


def sanction_types(text: str) -> tuple[str, ...]:
    """The sanction types a 处分种类 cell names ("党内警告、政务记过"); OutcomeUnclear if a part is unknown."""
    found = []
    for part in (p.strip() for p in _split(text)):
        if not part or part in NO_SANCTION:
            continue
        type_id = next((t for word, t in SANCTION_WORDS if word in part), None)
        if type_id is None:
            raise OutcomeUnclear("sanction", f"处分种类“{part}”无法识别（如：党内警告、严重警告、撤销党内职务、留党察看一年、记过）")
        if "政务" in part and type_id == "party_warning":
            type_id = "gov_warning"
        found.append(type_id)
    return tuple(dict.fromkeys(found))


def sanctions_of(text: str, names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(name, sanction type id) per sanction a 处分种类 cell gives the row's persons.

    With one person every sanction is theirs. With several, the cell must say whose each is — by
    person, parts apart by "；" or each part naming its person ("张三：党内警告；李四：政务记过",
    "张三党内警告、李四政务记过", "张三、李四：通报") — or the row is unclear: a sanction given to the
    wrong person would count against them in every later 影响期 and 处分 statistic.
    A row's name written padded in the cell ("李 四：党内警告") is that name."""
    for name in names:
        if len(name) > 1:
            text = re.sub(r"\s*".join(map(re.escape, name)), lambda _match, n=name: n, text)
    if len(names) == 1:
        for whose in re.findall(r"([^：:；;、，,\n]+)[：:]", text):  # "李四：党内警告" on 张三's row
            if whose.strip() != names[0] and not any(word in whose for word, _ in SANCTION_WORDS):
                raise OutcomeUnclear("sanction", f"处分种类写明的是“{whose.strip()}”的处分，本行的被反映人是{names[0]}")
        return tuple((names[0], t) for t in sanction_types(text))
    found: list[tuple[str, str]] = []
    for segment in (p for p in re.split(r"[；;\n]", text) if p.strip()):
        atoms = [a for a in _split(segment) if a.strip()]
        named, rest = zip(*(_names_in(a, names) for a in atoms), strict=True) if atoms else ((), ())
        types = [sanction_types(r) for r in rest]
        if not any(types):
            continue
        if all(who for who, kinds in zip(named, types, strict=True) if kinds) and all(
                kinds or r in NO_SANCTION for who, kinds, r in zip(named, types, rest, strict=True) if who):
            # each part names its person: 张三党内警告、李四记过 (李四无: none for 李四)
            pairs = [(n, t) for who, kinds in zip(named, types, strict=True) for n in who for t in kinds]
        else:
            who = list(dict.fromkeys(n for w in named for n in w))
            if not who:
                raise OutcomeUnclear("sanction", f"本行有{len(names)}名被反映人（{'、'.join(names)}），处分种类须写明各人所受处分，"
                                                 "如“张三：党内警告；李四：政务记过”")
            pairs = [(n, t) for n in who for kinds in types for t in kinds]  # 张三、李四：通报
        found.extend(pairs)
    return tuple(dict.fromkeys(found))


def _names_in(text: str, names: Sequence[str]) -> tuple[list[str], str]:
    """The row's names a part of the cell gives, longest first (张三 inside 张三丰 is not 张三), and
    what the part says besides them."""
    found = []
    for n in sorted(names, key=len, reverse=True):
        if n in text:
            found.append(n)
            text = text.replace(n, "\0")  # no shorter name matched across what was taken out
    return found, text.replace("\0", "").strip("：:（）() ")


def _split(text: str) -> list[str]:
    for mark in "，,；;/ 　":
        text = text.replace(mark, "、")
    return text.split("、")


def route(record: LegacyRecord) -> tuple[tuple[str, str], ...]:
    """(decision id, which date) from registration to where the row stands."""
    concluded = record.closed_on is not None or any(w in record.result for w in CONCLUDED_WORDS)
    if concluded and record.closed_on is None:
        raise OutcomeUnclear("closed_on", f"办理结果为“{record.result}”，已办结，但没有结案日期")
    if record.filed_on is not None:
        if record.filed_on < record.received_on:
            raise OutcomeUnclear("filed_on", "立案日期早于收件日期")
        if not concluded:
            return FILING
        if any(w in record.result for w in REVOKED_WORDS):
            return FILING + (("revoke", CLOSED), ("done", CLOSED)) + ARCHIVE
        if any(t.startswith(("party_", "gov_")) for _, t in record.sanctions):
            return FILING + (("transfer_review", CLOSED), ("accept", CLOSED), ("submit_county_review", CLOSED),
                             ("to_branch", CLOSED), ("to_township_approval", CLOSED), ("approve", CLOSED),
                             ("to_execution", CLOSED), ("to_close", CLOSED)) + ARCHIVE
        return FILING + (("transfer_review", CLOSED), ("accept", CLOSED), ("propose_exempt", CLOSED),
                         ("done", CLOSED)) + ARCHIVE
    method = next((d for word, d in DISPOSITIONS if word in record.disposition), "")
    if not method and concluded:
        method = "to_close"  # concluded without a method named: 予以了结 is the one that needs none
    if not method:
        return OPENING
    steps = OPENING + ((method, RECEIVED),)
    if not concluded:
        return steps
    closing = CLOSINGS[method]
    return steps + (((closing, CLOSED),) if closing else ()) + ARCHIVE


def walk(wf: Workflow, start: CaseState, record: LegacyRecord) -> Walked:
    """The state after the row's route, from `start` (the registered clue); each decision checked
    against the rules in force, its events set on its date, its gates not run."""
    if record.closed_on is not None and record.closed_on < (record.filed_on or record.received_on):
        raise OutcomeUnclear("closed_on", "结案日期早于收件日期或立案日期")
    dates = {RECEIVED: record.received_on, FILED: record.filed_on, CLOSED: record.closed_on}
    step_id, on = start.step_id, record.received_on
    events, history, passed = dict(start.events), [], []
    for decision_id, which in route(record):
        dec = wf.steps[step_id].decision(decision_id)
        if dec is None:
            raise DomainError("legacy_route", f"现行流程中“{wf.steps[step_id].title}”没有决定“{decision_id}”，无法补录")
        on = dates[which]
        events.update(dict.fromkeys(dec.sets_events, on))
        history.append(HistoryEntry(step_id, decision_id, on, ""))
        passed.append(step_id)
        step_id = dec.target
    state = replace(start, step_id=step_id, entered_on=on, events=MappingProxyType(events),
                    history=start.history + tuple(history))
    return Walked(state, tuple(history), tuple(dict.fromkeys(passed)))


def unchecked(wf: Workflow, passed: Sequence[str]) -> list[dict]:
    """What each step passed would have checked: its checklist items and its decisions' requirements."""
    out = []
    for step_id in passed:
        step = wf.steps.get(step_id)
        if step is None:
            continue
        items = [item.label for item in step.checklist]
        out.append({"step": step_id, "title": step.title, "items": items})
    return out


# 线索来源 as ledgers write it → words of the rules' `intake_register.source` choices, first match wins
SOURCE_WORDS = (("转办", "上级转办"), ("交办", "上级交办"), ("巡察", "巡察移交"), ("移送", "其他机关移送"),
                ("来访", "来访"), ("走访", "来访"), ("电话", "电话"), ("网", "网络"), ("信箱", "网络"),
                ("来信", "来信"), ("信", "来信"), ("自行", "自行发现"), ("自主", "自行发现"), ("发现", "自行发现"),
                ("监督检查", "自行发现"), ("审计", "其他机关移送"))


def source_choice(text: str, choices: Sequence[str]) -> str:
    """The rules' 线索来源 choice a ledger's text means; OutcomeUnclear when none does."""
    text = "".join(text.split())
    if text in choices:
        return text
    for word, meant in SOURCE_WORDS:
        if word in text:
            found = next((c for c in choices if meant in c), None)
            if found:
                return found
    raise OutcomeUnclear("source", f"线索来源“{text}”无法对应（可写：{'、'.join(choices)}）")


def backfill_view(wf: Workflow, backfill: dict) -> dict | None:
    """What `case show` says of a 补录 case: from which file and row, by whom, what was not checked."""
    if not backfill:
        return None
    return {**backfill, "unchecked": unchecked(wf, backfill.get("steps", ()))}
