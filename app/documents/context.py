"""What a template may print: the render context of one case, and its schema.

The schema is the contract between the app and template authors (docs/DOCUMENTS.md lists it):
every key in it is always present in a context, so a template that uses only schema variables
never meets an undefined one, and lint reports any other name as undeclared. Every value is
text (dates written 2026年3月2日, several values joined with 、, a missing value as "") except
`practice`, a flag, and the lists.

Reporter identity (举报人) is never read here: no query touches the Reporter table, and the only
reporter-related value is whether the report was signed (实名/匿名).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.domain.rules import Workflow
from app.domain.sanctions import KIND_LABELS, SanctionCatalog
from app.models import Case, CaseSubject, Clue, ClueSubject, Office, Person, Sanction

TEXT = "text"
FLAG = "flag"

MERGE_DECISION, MERGE_TITLE = "merge", "并案"  # the history entry of split_merge.merge (no rules decision)
PERSON = {k: TEXT for k in ("name", "unit", "post", "rank", "category", "political_status", "id_number", "gender",
                            "birth", "age", "unit_post")}
SANCTION = {k: TEXT for k in ("name", "full_name", "kind", "kind_label", "form", "decided_on", "effect_end",
                              "effect_text", "citation", "person_name")}
HISTORY_ENTRY = {k: TEXT for k in ("step", "step_title", "decision", "decision_title", "decided_on", "approver")}
STUDY = {k: TEXT for k in ("step_title", "held_on", "attendees", "conclusion")}
DECIDED = {k: TEXT for k in ("decision_title", "decided_on", "approver")}
CATALOG_ROW = {k: TEXT for k in ("seq", "number", "author", "title", "date", "pages", "note")}
OFFICE = {k: TEXT for k in ("name", "abbr", "code", "place", "commission", "party_committee", "supervision",
                            "parent_name")}
CASE = {k: TEXT for k in ("number", "clue_number", "display_number", "received_on", "source", "summary", "categories",
                          "incoming_no", "leader_instruction", "real_name", "stage_title", "step_title", "filed_on",
                          "closed_on", "route", "handling_mode", "persons_text")}
TOP_TEXT = ("today", "year", "number", "doc_title", "sanctions_text")

# Characters XML 1.0 cannot hold; docxtpl would also read \a and \f as paragraph and page breaks.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_OFFICE_SUFFIXES = ("纪律检查委员会", "纪委监委", "纪工委", "纪委")
DEFAULT_PARENT = "县纪委监委"


_SCHEMAS: dict[int, tuple[Workflow, dict]] = {}


def schema(workflow: Workflow) -> dict:
    """The variables of every context built with this workflow; lists as [element schema].

    One object per workflow, so checks cached against it stay valid.
    """
    cached = _SCHEMAS.get(id(workflow))
    if cached is None or cached[0] is not workflow:
        cached = _SCHEMAS[id(workflow)] = (workflow, _schema(workflow))
    return cached[1]


def _schema(workflow: Workflow) -> dict:
    steps = workflow.steps
    return {
        "office": OFFICE,
        "case": CASE,
        "person": PERSON,
        "persons": [PERSON],
        "fields": {sid: {f.id: TEXT for f in step.fields} for sid, step in steps.items()},
        "study": {sid: STUDY for sid in steps},
        "decided": {sid: DECIDED for sid in steps},
        "sanctions": [SANCTION],
        "sanction": SANCTION,
        "party_sanction": SANCTION,
        "gov_sanction": SANCTION,
        "history": [HISTORY_ENTRY],
        "studies": [STUDY],
        "documents": [CATALOG_ROW],
        "numbers": {tid: TEXT for tid in referenced_templates(workflow)},
        "practice": FLAG,
        **{k: TEXT for k in TOP_TEXT},
    }


def referenced_templates(workflow: Workflow) -> list[str]:
    return sorted({d.template for step in workflow.steps.values() for d in step.documents})


# --- formatting ---------------------------------------------------------------------------

def clean(value: Any) -> str:
    """Text as a document can hold it: Windows line ends as \\n, no XML-illegal characters."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)


def cn_date(value: date | str | None) -> str:
    """2026年3月2日 (GB/T 9704: Arabic numerals, full year, no leading zeros); "" when unknown."""
    if not value:
        return ""
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


def _one(ftype: str, value: Any) -> str:
    if ftype == "date":
        try:
            return cn_date(value)
        except ValueError:
            return clean(value)
    if ftype == "bool":
        return "是" if value else "否"
    if ftype == "person" and isinstance(value, Mapping):
        return clean(value.get("name", ""))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value)


def field_text(ftype: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(t for t in (_one(ftype, v) for v in value) if t)
    return _one(ftype, value)


def id_facts(id_number: str, today: date) -> tuple[str, str, str]:
    """(gender, birth 1975年3月, age) from an 18-digit resident ID number; blanks when it is not one."""
    if not re.fullmatch(r"\d{17}[\dXx]", id_number or ""):
        return "", "", ""
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return "", "", ""
    if born > today:
        return "", "", ""
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return ("男" if int(id_number[16]) % 2 else "女"), f"{born.year}年{born.month}月", str(age)


def person_context(p: Person | Mapping | None, today: date) -> dict:
    if p is None:
        return {k: "" for k in PERSON}
    get = (lambda k: getattr(p, k, "")) if not isinstance(p, Mapping) else (lambda k: p.get(k, ""))
    values = {k: clean(get(k) or "") for k in ("name", "unit", "post", "rank", "category", "political_status",
                                               "id_number")}
    gender, birth, age = id_facts(values["id_number"], today)
    return {**values, "gender": gender, "birth": birth, "age": age, "unit_post": values["unit"] + values["post"]}


def with_particulars(person: dict, row: CaseSubject) -> dict:
    """What the case recorded of the person wins over what the id number implies."""
    out = dict(person)
    if row.gender:
        out["gender"] = clean(row.gender)
    if row.birth:
        year, month = row.birth.split("-")
        out["birth"] = f"{int(year)}年{int(month)}月"
    if row.political_status:
        out["political_status"] = clean(row.political_status)
    if row.unit_post:
        out["unit_post"] = clean(row.unit_post)
    return out


def office_context(name: str, abbr: str, code: str, parent_name: str) -> dict:
    place = name.removeprefix("中共")
    for suffix in _OFFICE_SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix):
            place = place.removesuffix(suffix)
            break
    else:
        place = ""
    return {
        "name": clean(name), "abbr": clean(abbr or code), "code": clean(code), "place": clean(place),
        "commission": clean(f"中共{place}纪律检查委员会" if place else name),
        "party_committee": clean(f"中共{place}委员会" if place else ""),
        "supervision": clean(f"{place}监察办公室" if place else name),
        "parent_name": clean(parent_name or DEFAULT_PARENT),
    }


def sanction_full_name(name: str, kind: str) -> str:
    """The wording of a decision: 党内警告处分, 政务记过处分, 撤销党内职务处分, 诫勉."""
    if kind == "party":
        return ("党内" + name if name in ("警告", "严重警告") else name) + "处分"
    if kind == "gov":
        return "政务" + name + "处分"
    if kind == "public_institution":
        return name + "处分"
    return name


def sanction_context(row: Sanction | None, catalog: SanctionCatalog, person_name: str) -> dict:
    if row is None:
        return {k: "" for k in SANCTION}
    kind = catalog.types.get(row.type_id)
    name = kind.name if kind else row.type_id
    start, end = cn_date(row.decided_on), cn_date(row.effect_end)
    if kind and kind.permanent:
        effect = "不设影响期" if not kind.effect_months else ""
    elif start and end and row.effect_end != row.decided_on:
        effect = f"影响期自{start}起至{end}止"
    elif kind and kind.effect_months:
        effect = f"影响期{kind.effect_months}个月"
    else:
        effect = ""
    return {
        "name": clean(name), "full_name": clean(sanction_full_name(name, row.kind)), "kind": row.kind,
        "kind_label": KIND_LABELS.get(row.kind, row.kind), "form": str(row.form), "decided_on": start,
        "effect_end": end, "effect_text": effect, "citation": clean(kind.citation if kind else ""),
        "person_name": clean(person_name),
    }


# --- building -----------------------------------------------------------------------------

def build(s: Session, case_id: str, *, office_id: str, workflow: Workflow, catalog: SanctionCatalog, today: date,
          number: str = "", doc_title: str = "", practice: bool = False,
          catalog_rows: list[dict] | None = None, numbers: dict[str, str] | None = None) -> dict:
    """The context of one case for one document (schema(workflow) exactly).

    `numbers` are the numbers of the case's documents made so far, by template id, so that a
    notice can cite the decision it executes; `catalog_rows` fill the 卷内目录.
    """
    case = s.get(Case, case_id)
    clue = s.get(Clue, case.clue_id)
    office = s.get(Office, office_id)
    parent = s.exec(select(Office).where(Office.code == office.parent_code)).first() if office.parent_code else None
    people = s.exec(
        select(Person).join(ClueSubject, ClueSubject.person_id == Person.id)
        .where(ClueSubject.clue_id == clue.id, ClueSubject.deleted == False)  # noqa: E712
        .order_by(ClueSubject.created_at, ClueSubject.id)
    ).all()
    names = {p.id: p.name for p in people}
    sanction_rows = s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.deleted == False)  # noqa: E712
                           .order_by(Sanction.created_at, Sanction.id)).all()
    # The engine state as kept on the row (app/services/case_codec.py writes it): read, never changed here.
    state = case.state or {}
    state_fields = state.get("fields", {})
    step_now = state.get("step_id", case.step_id)
    steps = workflow.steps

    def step_title(step_id: str) -> str:
        return steps[step_id].title if step_id in steps else step_id

    def decision_title(step_id: str, decision_id: str) -> str:
        rule = steps[step_id].decision(decision_id) if step_id in steps else None
        return rule.title if rule else MERGE_TITLE if decision_id == MERGE_DECISION else decision_id

    fields = {}
    for sid, step in steps.items():
        fields[sid] = {f.id: field_text(f.type, state_fields.get(f"{sid}.{f.id}")) for f in step.fields}
    history = [
        {"step": h["step_id"], "step_title": step_title(h["step_id"]), "decision": h["decision_id"],
         "decision_title": decision_title(h["step_id"], h["decision_id"]), "decided_on": cn_date(h["decided_on"]),
         "approver": clean(h.get("approver", ""))}
        for h in state.get("history", [])
    ]
    decided = {sid: {k: "" for k in DECIDED} for sid in steps}
    for h in history:
        if h["step"] in decided:
            decided[h["step"]] = {k: h[k] for k in DECIDED}
    studies = [
        {"step_title": step_title(st["step_id"]), "held_on": cn_date(st["held_on"]),
         "attendees": "、".join(map(clean, st["attendees"])), "conclusion": clean(st["conclusion"]), "_step": st["step_id"]}
        for st in state.get("studies", [])
    ]
    study = {sid: {k: "" for k in STUDY} for sid in steps}
    for st in studies:
        if st["_step"] in study:
            study[st["_step"]] = {k: st[k] for k in STUDY}
    sanctions = [sanction_context(r, catalog, names.get(r.person_id, "")) for r in sanction_rows]

    # The person a one-person document is about: the first still in the case (a person cleared or
    # split off on their own never heads the 处分决定书), with the particulars the case recorded.
    subject_rows = s.exec(select(CaseSubject).where(CaseSubject.case_id == case.id, CaseSubject.deleted == False)  # noqa: E712
                          .order_by(CaseSubject.seq)).all()
    focus = next((r for r in subject_rows if not r.outcome), subject_rows[0] if subject_rows else None)
    own = [r for r in sanction_rows if focus is not None and r.person_id == focus.person_id] or sanction_rows

    def first_of(kind: str | None) -> dict:
        row = next((r for r in own if kind is None or r.kind == kind), None)
        return sanction_context(row, catalog, names.get(row.person_id, "") if row else "")

    persons = [person_context(p, today) for p in people]
    person = persons[0] if persons else person_context(None, today)
    if focus is not None and focus.person_id in names:
        person = with_particulars(persons[[p.id for p in people].index(focus.person_id)], focus)
    persons_text = "、".join(p["name"] for p in persons)
    stage = workflow.stage_of(step_now) if step_now in steps else None
    return {
        "office": office_context(office.name, office.abbr, office.code, parent.name if parent else ""),
        "case": {
            "number": clean(case.number), "clue_number": clean(clue.number),
            "display_number": clean(case.number or clue.number), "received_on": cn_date(clue.received_on),
            "source": clean(clue.source), "summary": clean(clue.summary), "categories": "、".join(map(clean, clue.categories)),
            "incoming_no": clean(clue.incoming_no), "leader_instruction": clean(clue.leader_instruction),
            "real_name": "实名" if clue.real_name else "匿名", "stage_title": stage.title if stage else "",
            "step_title": step_title(step_now), "filed_on": cn_date(case.filed_on), "closed_on": cn_date(case.closed_on),
            "route": clean(case.route), "handling_mode": clean(clue.handling_mode), "persons_text": persons_text,
        },
        "person": person,
        "persons": persons,
        "fields": fields,
        "study": study,
        "decided": decided,
        "sanctions": sanctions,
        "sanction": first_of(None),
        "party_sanction": first_of("party"),
        "gov_sanction": first_of("gov"),
        "sanctions_text": "、".join(x["full_name"] for x in sanctions),
        "history": history,
        "studies": [{k: st[k] for k in STUDY} for st in studies],
        "documents": [{k: clean(row.get(k, "")) for k in CATALOG_ROW} for row in (catalog_rows or [])],
        "numbers": {tid: clean((numbers or {}).get(tid, "")) for tid in referenced_templates(workflow)},
        "practice": practice,
        "today": cn_date(today),
        "year": str(today.year),
        "number": clean(number),
        "doc_title": clean(doc_title),
    }


def conforms(value: Any, shape: Any, path: str = "") -> list[str]:
    """Paths where `value` differs from the schema `shape` (empty when it conforms)."""
    if shape == TEXT:
        return [] if isinstance(value, str) else [path or "(root)"]
    if shape == FLAG:
        return [] if isinstance(value, bool) else [path]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [path]
        return [p for i, v in enumerate(value) for p in conforms(v, shape[0], f"{path}[{i}]")]
    if not isinstance(value, dict) or set(value) != set(shape):
        return [path or "(root)"]
    return [p for k in shape for p in conforms(value[k], shape[k], f"{path}.{k}" if path else k)]


LABELS = {
    "number": "文号", "sanctions_text": "处分或处理", "person.name": "被反映人姓名", "person.unit_post": "被反映人单位及职务",
    "persons[].name": "被反映人姓名", "case.number": "立案编号", "case.clue_number": "线索编号", "case.summary": "主要问题",
    "case.received_on": "受理时间", "case.source": "线索来源", "case.display_number": "案件编号",
    "party_sanction.full_name": "党纪处分", "gov_sanction.full_name": "政务处分", "sanctions[].effect_text": "处分影响期",
    "history[].decision_title": "办理经过", "documents[].title": "卷内文件", "documents[].seq": "卷内文件",
}


def label(path: str, workflow: Workflow) -> str:
    """A variable as the people filling the case know it: 立案审批：立案依据 … (the path when unknown)."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "fields" and parts[1] in workflow.steps:
        step = workflow.steps[parts[1]]
        f = step.field(parts[2])
        return f"{step.title}：{f.label}" if f else path
    return LABELS.get(path, path)


def values_at(ctx: dict, path: str) -> list:
    """Every value `path` reaches in a context ("persons[].name" → each person's name)."""
    found = [ctx]
    for key in path.split("."):
        many = key.endswith("[]")
        key = key.removesuffix("[]")
        found = [v[key] for v in found if isinstance(v, dict) and key in v]
        if many:
            found = [item for v in found if isinstance(v, list) for item in v]
            if not found:
                return [""]
    return found


def blanks(ctx: dict, paths: tuple[str, ...], workflow: Workflow) -> tuple[str, ...]:
    """Labels of the required variables this context leaves empty, once each, in order."""
    out = []
    for path in paths:
        if any(v in ("", None) for v in values_at(ctx, path)):
            text = label(path, workflow)
            if text not in out:
                out.append(text)
    return tuple(out)
