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

from app.documents import wording
from app.domain.articles import ArticleCatalog
from app.domain.errors import DomainError
from app.domain.rules import Workflow
from app.domain.sanctions import KIND_LABELS, SanctionCatalog
from app.models import Case, CaseSubject, Clue, ClueSubject, Evidence, Office, Person, Sanction, SubjectFact

TEXT = "text"
FLAG = "flag"

MERGE_DECISION, MERGE_TITLE = "merge", "并案"  # the history entry of split_merge.merge (no rules decision)
PERSON = {k: TEXT for k in ("name", "unit", "post", "rank", "category", "political_status", "id_number", "gender",
                            "birth", "age", "unit_post", "ethnicity", "native_place", "education", "party_joined",
                            "work_started", "deputy", "supervision_object", "address", "identity", "party_org")}
FACT = {k: TEXT for k in ("seq", "label", "occurred", "narrative", "amount", "evidence", "attitude", "text")}
EVIDENCE = {k: TEXT for k in ("seq", "kind", "title", "source", "obtained_on", "pages")}
ARTICLE = {k: TEXT for k in ("citation", "article", "category", "plot", "law")}
SANCTION = {k: TEXT for k in ("name", "full_name", "kind", "kind_label", "form", "decided_on", "effect_end",
                              "effect_text", "citation", "person_name")}
HISTORY_ENTRY = {k: TEXT for k in ("step", "step_title", "decision", "decision_title", "decided_on", "approver")}
STUDY = {k: TEXT for k in ("step_title", "held_on", "attendees", "conclusion")}
DECIDED = {k: TEXT for k in ("decision_title", "decided_on", "approver")}
CATALOG_ROW = {k: TEXT for k in ("seq", "number", "author", "title", "date", "pages", "note")}
# 案卷封面 and 卷内备考表 (纪检监察机关案件档案管理办法 第十条): what the dossier knows of itself
DOSSIER = {**{k: TEXT for k in ("title", "unit", "period", "keeping_term", "archive_no", "extent", "filed_by", "checked_by",
                                "filed_on", "pages_note")}, "notes": [{"text": TEXT}]}
UNPAGED = "未排版"  # the 页号 of a catalogue nobody laid out
UNPAGED_NOTE = "注：页号未排版（本机没有 LibreOffice，无法计算页数）。请在文字处理软件中打开案卷，按实际页码填写页号。"
OFFICE = {k: TEXT for k in ("name", "abbr", "code", "place", "commission", "party_committee", "supervision",
                            "parent_name")}
CASE = {k: TEXT for k in ("number", "clue_number", "display_number", "received_on", "source", "summary", "categories",
                          "incoming_no", "leader_instruction", "real_name", "stage_title", "step_title", "filed_on",
                          "closed_on", "route", "handling_mode", "persons_text", "outcomes_text")}
TOP_TEXT = ("today", "year", "number", "doc_title", "sanctions_text", "facts_text", "evidence_text", "violation",
            "articles_text", "gov_articles_text", "adjustments_text", "statement", "fact_meeting_on", "issued_on",
            "basis_text", "gov_basis_text", "review_term")

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
        "facts": [FACT],
        "evidence": [EVIDENCE],
        "articles": [ARTICLE],
        "sanction": SANCTION,
        "party_sanction": SANCTION,
        "gov_sanction": SANCTION,
        "history": [HISTORY_ENTRY],
        "studies": [STUDY],
        "documents": [CATALOG_ROW],
        "dossier": DOSSIER,
        "numbers": {tid: TEXT for tid in referenced_templates(workflow)},
        "practice": FLAG,
        **{k: TEXT for k in TOP_TEXT},
    }


# variables about one person: a template using any of them makes one document per person
SUBJECT_VARIABLES = ("person", "sanction", "party_sanction", "gov_sanction", "sanctions", "sanctions_text", "facts",
                     "evidence", "articles", "facts_text", "evidence_text", "violation", "articles_text",
                     "gov_articles_text", "adjustments_text", "statement", "fact_meeting_on", "basis_text",
                     "gov_basis_text", "review_term")


# before 立案 a clue's documents are one for the clue, however many persons it names
CLUE_STAGES = frozenset({"intake", "referral", "disposition", "prelim", "shelved"})


def is_per_person(entry) -> bool:
    """A template (manifest entry) makes one document per person: it prints one person's
    particulars, facts or sanctions, past the clue's own stages."""
    return entry.stage not in CLUE_STAGES and any(
        v.split(".")[0].removesuffix("[]") in SUBJECT_VARIABLES for v in entry.variables)


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


PARTY_MEMBERS = ("中共党员", "中共预备党员")


def cn_month(value: str) -> str:
    """"1975-03" → 1975年3月; "" when it is not a month."""
    year, _, month = (value or "").partition("-")
    return f"{int(year)}年{int(month)}月" if year.isdigit() and month.isdigit() else clean(value or "")


def person_context(p: Person | Mapping | None, today: date) -> dict:
    if p is None:
        return {k: "" for k in PERSON}
    get = (lambda k: getattr(p, k, "")) if not isinstance(p, Mapping) else (lambda k: p.get(k, ""))
    values = {k: clean(get(k) or "") for k in ("name", "unit", "post", "rank", "category", "political_status",
                                               "id_number")}
    gender, birth, age = id_facts(values["id_number"], today)
    out = {k: "" for k in PERSON}
    out.update(values, gender=gender, birth=birth, age=age, unit_post=values["unit"] + values["post"])
    return with_wording(out, expelled=False)


def with_particulars(person: dict, row: CaseSubject, *, expelled: bool = False) -> dict:
    """What the case recorded of the person wins over what the id number implies."""
    out = dict(person)
    for key in ("gender", "ethnicity", "native_place", "education", "political_status", "unit_post", "category", "deputy"):
        if getattr(row, key):
            out[key] = clean(getattr(row, key))
    for key in ("birth", "party_joined", "work_started"):
        if getattr(row, key):
            out[key] = cn_month(getattr(row, key))
    out["supervision_object"] = "是" if row.supervision_object else "否"
    return with_wording(out, expelled=expelled)


def branch_name(unit: str) -> str:
    """The 党支部 of a person's unit: 青石村民委员会 → 青石村党支部 (the case does not record the branch's own name)."""
    unit = (unit or "").strip()
    if unit.endswith("支部"):
        return unit
    for suffix, place in (("村民委员会", "村"), ("居民委员会", "社区")):
        if unit.endswith(suffix) and len(unit) > len(suffix):
            return unit[: -len(suffix)] + place + "党支部"
    return unit + "党支部" if unit else ""


def with_wording(person: dict, *, expelled: bool) -> dict:
    """How documents address the person (同志 only for a member who keeps the membership) and the
    基本情况 sentence of a decision or report."""
    member = person["political_status"] in PARTY_MEMBERS
    joined = f"{person['party_joined']}加入中国共产党" if member and person["party_joined"] else ""
    if person["political_status"] == "中共预备党员" and joined:
        joined = joined.replace("加入中国共产党", "成为中共预备党员")
    identity = wording.sentence(
        person["name"], person["gender"], person["ethnicity"],
        f"{person['birth']}出生" if person["birth"] else "",
        f"{person['native_place']}人" if person["native_place"] else "",
        f"{person['education']}学历" if person["education"] and not person["education"].endswith("学历") else person["education"],
        joined or person["political_status"],
        f"{person['work_started']}参加工作" if person["work_started"] else "",
        f"现任{person['unit_post']}" if person["unit_post"] else "",
        f"{person['deputy']}" if person["deputy"] else "",
    ) if person["name"] else ""
    return {**person, "address": "同志" if member and not expelled else "", "identity": identity,
            "party_org": branch_name(person["unit"])}


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
          catalog_rows: list[dict] | None = None, numbers: dict[str, str] | None = None,
          subject_id: str | None = None, articles: ArticleCatalog | None = None, issued_on: date | None = None,
          dossier: Mapping | None = None) -> dict:
    """The context of one case for one document (schema(workflow) exactly).

    `numbers` are the numbers of the case's documents made so far, by template id, so that a
    notice can cite the decision it executes; `catalog_rows` fill the 卷内目录. `subject_id` names
    the person a per-person document is about (default: the first still in the case); `issued_on`
    is the document's 成文日期 (default: today).
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
    focus = next((r for r in subject_rows if r.id == subject_id), None) or next(
        (r for r in subject_rows if not r.outcome), subject_rows[0] if subject_rows else None)
    own = [r for r in sanction_rows if r.person_id == focus.person_id] if focus is not None else sanction_rows
    expelled = any(catalog.types.get(r.type_id) is not None and catalog.types[r.type_id].permanent and r.kind == "party"
                   for r in own)
    substance = subject_substance(s, case.id, focus, articles)

    def first_of(kind: str | None) -> dict:
        row = next((r for r in own if kind is None or r.kind == kind), None)
        return sanction_context(row, catalog, names.get(row.person_id, "") if row else "")

    by_person = {r.person_id: r for r in subject_rows}
    # the persons in the case's own order (its tabs); the clue's order only breaks ties
    people = sorted(people, key=lambda p: by_person[p.id].seq if p.id in by_person else 10_000)
    persons = [with_particulars(person_context(p, today), by_person[p.id]) if p.id in by_person else person_context(p, today)
               for p in people]
    person = persons[0] if persons else person_context(None, today)
    if focus is not None and focus.person_id in names:
        person = with_particulars(person_context(people[[p.id for p in people].index(focus.person_id)], today), focus,
                                  expelled=expelled)
    persons_text = "、".join(p["name"] for p in persons)
    party, gov = first_of("party"), first_of("gov")
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
            "outcomes_text": outcomes_text(subject_rows, names, sanctions, sanction_rows),
        },
        "person": person,
        "persons": persons,
        "fields": fields,
        "study": study,
        "decided": decided,
        "sanctions": own_sanctions(sanctions, own, sanction_rows),
        "sanction": first_of(None),
        "party_sanction": party,
        "gov_sanction": gov,
        "sanctions_text": "、".join(x["full_name"] for x in own_sanctions(sanctions, own, sanction_rows)),
        **substance,
        # the legal basis of a decision: the articles violated, then the articles on the kind of sanction
        "basis_text": wording.citations([a["citation"] for a in substance["articles"] if a["law"] == "party"]
                                        + split_citations(party["citation"])),
        # 立案审查 of a party member ([R] 第三十八条); 立案审查调查 of a 监察对象 filed on both tracks ([M] 第四十二条)
        "review_term": "审查调查" if person["supervision_object"] == "是" else "审查",
        "gov_basis_text": wording.citations([a["citation"] for a in substance["articles"] if a["law"] == "gov"]
                                            + split_citations(gov["citation"])),
        "history": history,
        "studies": [{k: st[k] for k in STUDY} for st in studies],
        "documents": [{k: clean(row.get(k, "")) for k in CATALOG_ROW} for row in (catalog_rows or [])],
        "dossier": dossier_context(dossier, names=[p["name"] for p in persons], filed=bool(case.number),
                                   unit=office_context(office.name, office.abbr, office.code, "")["commission"],
                                   archive=fields.get("archive_filing", {})),
        "numbers": {tid: clean((numbers or {}).get(tid, "")) for tid in referenced_templates(workflow)},
        "practice": practice,
        "today": cn_date(today),
        "issued_on": cn_date(issued_on or today),
        "year": str(today.year),
        "number": clean(number),
        "doc_title": clean(doc_title),
    }


def dossier_title(names: list[str], filed: bool) -> str:
    """案卷题名: 关于林敏违纪案, 关于林敏等人违纪案; a case never filed: 关于林敏问题线索."""
    names = [n for n in names if n]
    if not names:
        return ""
    who = names[0] + ("等人" if len(names) > 1 else "")
    return f"关于{who}违纪案" if filed else f"关于{who}问题线索"


def dossier_context(facts: Mapping | None, *, names: list[str], filed: bool, unit: str, archive: Mapping) -> dict:
    """The `dossier` variables: what build_dossier measured (`facts`) over what the case says."""
    out = {k: "" for k in DOSSIER if k != "notes"}
    out.update(title=dossier_title(names, filed), unit=unit, keeping_term=archive.get("keeping_term", ""),
               archive_no=archive.get("archive_no", ""), pages_note=UNPAGED_NOTE)
    facts = dict(facts or {})
    out.update({k: clean(v) for k, v in facts.items() if k in out})
    out["notes"] = [{"text": clean(n)} for n in facts.get("notes", ())]
    return out


def outcomes_text(rows: list[CaseSubject], names: dict[str, str], contexts: list[dict], every: list[Sanction]) -> str:
    """How the case ended for each person: 林敏：党内警告处分；王某：免予处分 (the clue's persons in order)."""
    parts = []
    for row in rows:
        given = "、".join(c["full_name"] for c, r in zip(contexts, every, strict=True) if r.person_id == row.person_id)
        what = given or clean(row.outcome)
        parts.append(f"{names.get(row.person_id, '')}：{what}" if what else names.get(row.person_id, ""))
    return "；".join(p for p in parts if p)


def own_sanctions(contexts: list[dict], own: list[Sanction], every: list[Sanction]) -> list[dict]:
    """The sanction contexts of the document's person (all of them when the rows name nobody)."""
    mine = {id(r) for r in own}
    return [c for c, r in zip(contexts, every, strict=True) if id(r) in mine]


def split_citations(text: str) -> list[str]:
    """"《条例》第八条、第十条；《规定》第十二条" (the catalog's way) → one citation per article."""
    out = []
    for part in (text or "").split("；"):
        law, sep, rest = part.partition("》")
        out += [law + sep + item for item in rest.split("、") if item] if sep else [part]
    return [c for c in out if c]


CN_ORDINALS = "一二三四五六七八九十"


def fact_label(i: int, count: int) -> str:
    if count < 2:
        return ""
    return f"（{CN_ORDINALS[i - 1]}）" if i <= len(CN_ORDINALS) else f"（{i}）"


def subject_substance(s: Session, case_id: str, row: CaseSubject | None, articles: ArticleCatalog | None) -> dict:
    """What the case established about one person: facts, evidence, 定性, adjustments, 事实见面."""
    empty = {"facts": [], "evidence": [], "articles": [], "facts_text": "", "evidence_text": "", "violation": "",
             "articles_text": "", "gov_articles_text": "", "adjustments_text": "", "statement": "", "fact_meeting_on": ""}
    if row is None:
        return empty
    evidence = s.exec(select(Evidence).where(Evidence.case_id == case_id, Evidence.deleted == False)  # noqa: E712
                      .order_by(Evidence.seq)).all()
    evidence = [e for e in evidence if e.subject_id in (row.id, None)]
    seq_of = {e.id: e.seq for e in evidence}
    facts = s.exec(select(SubjectFact).where(SubjectFact.subject_id == row.id, SubjectFact.deleted == False)  # noqa: E712
                   .order_by(SubjectFact.seq)).all()
    fact_rows = []
    for i, f in enumerate(facts, 1):
        cited = [str(seq_of[e]) for e in f.evidence_ids if e in seq_of]
        text = wording.sentence(clean(f.occurred), clean(f.narrative),
                                f"涉及金额{clean(f.amount)}元" if f.amount else "")
        fact_rows.append({"seq": str(i), "label": fact_label(i, len(facts)), "occurred": clean(f.occurred),
                          "narrative": clean(f.narrative), "amount": clean(f.amount),
                          "evidence": f"证据第{'、'.join(cited)}号" if cited else "", "attitude": clean(f.attitude),
                          "text": text})
    picked = []
    for pick in row.articles:
        try:
            article = articles.get(pick["article"]) if articles is not None else None
        except DomainError:  # an article the catalog no longer has prints as recorded
            article = None
        picked.append({"citation": clean(article.citation if article else pick["article"]),
                       "article": clean(article.article if article else ""), "category": clean(article.category if article else ""),
                       "plot": clean(pick.get("plot", "")), "law": article.law if article else ""})
    party = [a for a in picked if a["law"] == "party"]
    gov = [a for a in picked if a["law"] == "gov"]
    kinds = {"从轻": "从轻处分", "减轻": "减轻处分", "从重": "从重处分", "加重": "加重处分"}
    adjustments = [wording.clauses([clean(a.get("basis", "")), "依规" + kinds.get(a["kind"], a["kind"])])
                   for a in row.adjustments]
    kinds_of_evidence = list(dict.fromkeys(clean(e.kind) for e in evidence if e.kind))
    return {
        "facts": fact_rows,
        "evidence": [{"seq": str(e.seq), "kind": clean(e.kind), "title": clean(e.title), "source": clean(e.source),
                      "obtained_on": cn_date(e.obtained_on), "pages": str(e.pages) if e.pages else ""} for e in evidence],
        "articles": picked,
        "facts_text": "".join(f["label"] + f["text"] for f in fact_rows),
        "evidence_text": wording.sentence("上述事实有" + "、".join(kinds_of_evidence) + "等证据证实") if kinds_of_evidence else "",
        "violation": "、".join(dict.fromkeys(a["category"].removeprefix("违反") for a in party
                                             if a["category"].startswith("违反"))),
        "articles_text": wording.citations(a["citation"] for a in party),
        "gov_articles_text": wording.citations(a["citation"] for a in gov),
        "adjustments_text": "；".join(adjustments),
        "statement": clean(row.statement),
        "fact_meeting_on": cn_date(row.fact_meeting_on),
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
    "facts[].text": "查明的违纪事实", "articles_text": "定性（违反的条款）", "gov_articles_text": "政务处分定性（违反的条款）",
    "person.identity": "被审查调查人基本情况",
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
