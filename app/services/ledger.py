"""问题线索台账 (procedures.md §5): one row per clue of the year, written as an .xlsx workbook.

Every column is filled only from what the store holds; a column the store has no data for stays
empty rather than being guessed. The reporter appears only as 实名/匿名, never by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import select

from app.domain import statistics as stats
from app.domain.errors import DomainError
from app.domain.sanctions import KIND_LABELS
from app.errors import InputError
from app.models import Case, Clue, ClueSubject, Person, Sanction
from app.services import case_codec, cases, repeat_complaints, report_export, ruleset
from app.services.ruleset import RuleSet
from app.storage import audit
from app.storage.store import Store

# (attribute, header, column width); the order is the ledger's.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("number", "线索编号", 22),
    ("received_on", "收件日期", 12),
    ("source", "线索来源", 16),
    ("incoming_no", "来文编号", 16),
    ("reporter", "反映人（实名/匿名）", 10),
    ("person_name", "被反映人姓名", 12),
    ("person_unit", "被反映人单位", 22),
    ("person_post", "被反映人职务", 14),
    ("person_rank", "被反映人职级", 10),
    ("person_political", "被反映人政治面貌", 10),
    ("summary", "主要问题", 40),
    ("leader_instruction", "领导批示", 20),
    ("duplicate", "是否重复件", 8),
    ("handler", "承办人", 10),
    ("disposition", "处置方式", 10),
    ("approved_on", "审批日期", 12),
    ("status", "进展状态", 22),
    ("closed_on", "办结日期", 12),
    ("result", "处置结果", 36),
    ("feedback_on", "反馈日期", 12),
    ("overdue", "超期标记", 10),
    ("archive_no", "归档号", 20),
    ("remark", "备注", 12),
)
INTAKE_OUTCOMES = {"not_accept": "不予受理", "forward_up": "转送上级"}
DEMO_REMARK = "演示数据"
OVERDUE_RUNNING = "超期"
OVERDUE_MET_LATE = "超期办结"
ROUND_KEY = re.compile(r"^(?P<step>[a-z0-9_]+)(?:@(?P<round>\d+))?\.(?P<field>[a-z0-9_]+)$")


@dataclass(frozen=True)
class LedgerRow:
    number: str
    received_on: date
    source: str
    incoming_no: str
    reporter: str
    person_name: str
    person_unit: str
    person_post: str
    person_rank: str
    person_political: str
    summary: str
    leader_instruction: str
    duplicate: str
    handler: str
    disposition: str
    approved_on: date | None
    status: str
    closed_on: date | None
    result: str
    feedback_on: date | None
    overdue: str
    archive_no: str
    remark: str


@dataclass(frozen=True)
class LedgerResult:
    path: str
    rows: int
    year: int


def latest_field(fields: dict, step_id: str, field_id: str):
    """The value of the current round, else of the latest earlier round ("step@n.field")."""
    if f"{step_id}.{field_id}" in fields:
        return fields[f"{step_id}.{field_id}"]
    rounds = []
    for key, value in fields.items():
        m = ROUND_KEY.match(key)
        if m and m["step"] == step_id and m["field"] == field_id and m["round"]:
            rounds.append((int(m["round"]), value))
    return max(rounds)[1] if rounds else None


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value)


def ledger_rows(store: Store, year: int, *, today: date | None = None, rules: RuleSet | None = None) -> list[LedgerRow]:
    today = today or date.today()
    rules = rules or ruleset.load(store)
    if not 2000 <= year <= 9999:
        raise InputError("bad_period", f"年份“{year}”无效，应为2000年以后的四位年份。")
    with store.read() as s:
        rows = s.exec(
            select(Clue, Case).join(Case, Case.clue_id == Clue.id)
            .where(Clue.owner_office_id == store.office.id, Clue.deleted == False, Case.deleted == False,  # noqa: E712
                   Clue.received_on >= date(year, 1, 1), Clue.received_on <= date(year, 12, 31))
            .order_by(Clue.received_on, Clue.created_at, Clue.number)
        ).all()
        clue_ids = [clue.id for clue, _ in rows]
        people: dict[str, list[Person]] = {}
        for clue_id, person in s.exec(
            select(ClueSubject.clue_id, Person).join(Person, Person.id == ClueSubject.person_id)
            .where(ClueSubject.clue_id.in_(clue_ids), ClueSubject.deleted == False)  # noqa: E712
            .order_by(ClueSubject.created_at)
        ).all():
            people.setdefault(clue_id, []).append(person)
        decided: dict[str, list[Sanction]] = {}
        for sanction in s.exec(select(Sanction).where(Sanction.case_id.in_([c.id for _, c in rows]),
                                                      Sanction.deleted == False,  # noqa: E712
                                                      Sanction.decided_on.is_not(None))
                               .order_by(Sanction.decided_on)).all():
            decided.setdefault(sanction.case_id, []).append(sanction)
    return [row_of(rules, clue, case, people.get(clue.id, []), decided.get(case.id, []), today) for clue, case in rows]


def row_of(rules: RuleSet, clue: Clue, case: Case, persons: list[Person], sanctions: list[Sanction], today: date) -> LedgerRow:
    wf = rules.workflow
    state = case_codec.from_json(case.state)
    fields = case_codec.thawed(dict(state.fields))
    disposition, approved_on = "", None
    for entry in state.history:
        if entry.step_id == stats.DISPOSITION_STEP and entry.decision_id in stats.DISPOSITION_METHODS:
            disposition, approved_on = stats.DISPOSITION_METHODS[entry.decision_id], entry.decided_on
            break
        if entry.step_id == wf.initial_step and entry.decision_id in INTAKE_OUTCOMES:
            disposition = INTAKE_OUTCOMES[entry.decision_id]
            break
    overdue = ""
    status = ""
    try:
        view = cases.evaluate(rules, state, today)
        states = {d.state for d in view.deadlines}
        overdue = OVERDUE_RUNNING if "overdue" in states else OVERDUE_MET_LATE if "met_late" in states else ""
        status = view.step.title if view.step.title == view.stage.title else f"{view.stage.title}（{view.step.title}）"
    except DomainError:
        status = state.step_id  # a step these rules do not know: show its id rather than guess a title
    result_parts = [text(latest_field(fields, "prelim_verify", "finding"))]
    for sanction in sanctions:
        kind = rules.catalog.types.get(sanction.type_id)
        name = kind.name if kind else sanction.type_id
        kind_id, form = (kind.kind, kind.form) if kind else (sanction.kind, sanction.form)
        shown = name if kind_id == "form1" else f"{KIND_LABELS.get(kind_id, kind_id)}：{name}"
        result_parts.append(f"{shown}（{stats.FORM_NAMES[form - 1]}）")
    result_parts.append(text(latest_field(fields, "close_feedback", "result_summary")))
    feedback = state.events.get("result_fed_back")
    return LedgerRow(
        number=clue.number,
        received_on=clue.received_on,
        source=clue.source or "",
        incoming_no=clue.incoming_no or "",
        reporter="实名" if clue.real_name else "匿名",
        person_name="、".join(p.name for p in persons),
        person_unit="、".join(p.unit for p in persons if p.unit),
        person_post="、".join(p.post for p in persons if p.post),
        person_rank="、".join(p.rank for p in persons if p.rank),
        person_political="、".join(p.political_status for p in persons if p.political_status),
        summary=clue.summary or "",
        leader_instruction=clue.leader_instruction or "",
        duplicate=repeat_text(fields, wf.initial_step),
        handler=text(fields.get("disposition.handler")),
        disposition=disposition,
        approved_on=approved_on,
        status=status,
        closed_on=case.closed_on,
        result="；".join(p for p in result_parts if p),
        feedback_on=feedback,
        overdue=overdue,
        archive_no=text(latest_field(fields, "archive_filing", "archive_no")),
        remark=DEMO_REMARK if clue.is_demo else "",
    )


def repeat_text(fields: dict, initial_step: str) -> str:
    """是否重复件: 是, with the earlier clues it repeats ([J] 第十四条: registered and linked)."""
    if not fields.get(f"{initial_step}.{repeat_complaints.FLAG}"):
        return ""
    earlier = text(fields.get(f"{initial_step}.{repeat_complaints.LINKS}"))
    return f"是（原线索：{earlier}）" if earlier else "是"


def export_ledger(store: Store, year: int, out: Path, *, today: date | None = None) -> LedgerResult:
    """Write the year's ledger to `out` (.xlsx, atomically) and note the export in the audit log."""
    out = report_export.check_target(out, (".xlsx",))
    rows = ledger_rows(store, year, today=today)
    report_export.write_ledger_xlsx(rows, COLUMNS, out, f"{store.office.name}问题线索台账（{year}年）")
    with store.write() as s:
        audit.note(s, "export", "file:ledger", f"导出{year}年问题线索台账（{len(rows)}条）")
    return LedgerResult(str(out), len(rows), year)
