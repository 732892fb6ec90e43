"""Case documents: render from templates, number, keep (inside the encrypted store), list, export, dossier.

A rendered document is one row of `Document` with the template id and version, its number, its
sha256 and its bytes; rendering again, or storing an edited file, adds a row with the next
doc_version and the same number, so nothing is ever overwritten. Numbering, rendering and
storing happen in one write transaction: a refused template or a failed rendering leaves no
row, no number used and no change to the case. When a document is stored its template id joins
the case's engine state (`documents`), which the workflow engine reads.

Templates a county pushes down are accepted only when `templates lint` finds nothing wrong;
they are kept in the store (services/template_registry.py) and take the place of the shipped ones.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.documents import context, lint, numbering, report_context
from app.documents.manifest import CASE_NUMBER, TemplateEntry, parse_manifest
from app.documents.registry import Registry
from app.documents.render import Fonts, TemplateRefused, render_docx, title_of
from app.domain.errors import DomainError
from app.errors import InputError
from app.models import Case, CaseSubject, Document, Office, Person
from app.paths import resources_dir
from app.services import case_codec, document_gate, ruleset, settings
from app.services import subjects as case_subjects
from app.services.cases import load_case
from app.services.practice_flag import is_practice_in
from app.services.ruleset import RuleSet
from app.services.template_registry import TEMPLATE_KEY_PREFIX, registry, registry_in
from app.storage import audit, setting_rows
from app.storage.atomic import atomic_write_bytes
from app.storage.store import Store

CATALOG_TEMPLATE = "dossier_catalog"
ORIGIN_LABELS = {"rendered": "生成", "edited": "修改稿"}
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class TemplateInfo:
    template_id: str
    title: str
    version: str
    stage: str
    numbered: bool
    origin: str  # shipped | installed


@dataclass(frozen=True)
class CaseTemplate:
    """A document the case's steps produce, for the case screen's 文书 list."""

    template_id: str
    title: str
    step_id: str
    step_title: str
    current_step: bool
    produced: bool
    latest_document_id: str | None
    subject_id: str | None = None  # a per-person document's person (several in the case)
    subject_name: str = ""
    not_now: str = ""  # why it may not be made (again) now; "" when it may


@dataclass(frozen=True)
class DocumentRow:
    document_id: str
    case_id: str
    template_id: str
    title: str
    number: str
    version: int
    origin: str
    practice: bool
    template_version: str
    sha256: str
    size: int
    created_at: datetime
    created_by: str
    latest: bool
    issued_on: date | None = None
    template_title: str = ""  # the kind of document (立案决定书); `title` is the document's own title
    subject_id: str | None = None  # the person a per-person document is about
    voided_on: date | None = None  # 作废: kept, its number used, shown as voided
    void_reason: str = ""
    voided_by: str = ""

    @property
    def voided(self) -> bool:
        return self.voided_on is not None


@dataclass(frozen=True)
class RenderResult:
    document_id: str
    number: str
    sha256: str
    version: int
    title: str
    template_id: str
    template_version: str
    blanks: tuple[str, ...]  # required items the case does not hold yet: left as fill-in lines


@dataclass(frozen=True)
class InstallResult:
    installed: tuple[str, ...]


# --- templates -------------------------------------------------------------------------------

def list_templates(store: Store) -> list[TemplateInfo]:
    reg = registry(store)
    return [TemplateInfo(e.id, e.title, e.version, e.stage, bool(e.number), reg.get(e.id).origin) for e in reg.entries()
            if not report_context.is_report(e.stage)]


def lint_folder(folder: Path, rules_workflow=None) -> lint.DirReport:
    """`templates lint DIR`: every .docx of the folder against its manifest, the context and the rules."""
    workflow = rules_workflow or ruleset.shipped_workflow(resources_dir() / "rules" / "workflow.toml")
    if not folder.is_dir():
        raise InputError("no_folder", f"找不到文件夹“{folder}”。")
    referenced = {d.template for step in workflow.steps.values() for d in step.documents}
    return lint.lint_dir(folder, context.schema(workflow), stages=[st.id for st in workflow.stages], referenced=referenced)


def install_templates(store: Store, folder: Path, *, rules: RuleSet | None = None) -> InstallResult:
    """Accept the templates of `folder` (a county push) only when lint passes; nothing is written otherwise."""
    rules = rules or ruleset.load(store)
    report = lint_folder(folder, rules.workflow)
    problems = list(report.problems) + [p for f in report.files for p in f.problems]
    if problems:
        shown = "；".join(f"{p.file}：{p.message}" for p in problems[:5])
        raise InputError("templates_refused", f"模板未通过检查，未安装（共{len(problems)}处问题）：{shown}",
                         {"problems": [asdict(p) for p in problems]})
    entries = folder_entries(folder)
    with store.write() as s:
        for entry in entries:
            key = TEMPLATE_KEY_PREFIX + entry.id
            value = {"entry": entry_dict(entry), "docx": base64.b64encode((folder / entry.file).read_bytes()).decode()}
            setting_rows.put(s, key, value)
    return InstallResult(tuple(e.id for e in entries))


def folder_entries(folder: Path) -> list[TemplateEntry]:
    return list(parse_manifest((folder / "manifest.toml").read_text(encoding="utf-8")).values())


def entry_dict(entry: TemplateEntry) -> dict:
    data = {k: getattr(entry, k) for k in ("id", "title", "file", "version", "stage", "archive_order", "archive_group",
                                            "number", "counter", "author")}
    data["variables"] = list(entry.variables)
    data["required"] = list(entry.required)
    return data


# --- documents -------------------------------------------------------------------------------

def _row(doc: Document, latest: bool) -> DocumentRow:
    return DocumentRow(doc.id, doc.case_id, doc.template_id, doc.title, doc.number, doc.doc_version, doc.origin, doc.practice,
                       doc.template_version, doc.sha256, doc.size, doc.created_at, doc.created_by, latest, doc.issued_on,
                       subject_id=doc.subject_id, voided_on=doc.voided_on, void_reason=doc.void_reason,
                       voided_by=doc.voided_by)


_LIST_COLUMNS = (Document.id, Document.case_id, Document.template_id, Document.title, Document.number, Document.doc_version,
                 Document.origin, Document.practice, Document.template_version, Document.sha256, Document.size,
                 Document.created_at, Document.created_by, Document.issued_on, Document.subject_id, Document.voided_on,
                 Document.void_reason, Document.voided_by)


def _rows(s: Session, case_id: str) -> list[DocumentRow]:
    """The case's documents without their bytes, oldest first; `latest` marks the newest version of
    each template's document (per person for per-person documents)."""
    found = s.exec(select(*_LIST_COLUMNS).where(Document.case_id == case_id, Document.deleted == False)  # noqa: E712
                   .order_by(Document.created_at, Document.template_id, Document.doc_version)).all()
    newest: dict[tuple[str, str | None], int] = {}
    for r in found:
        key = (r.template_id, r.subject_id)
        newest[key] = max(newest.get(key, 0), r.doc_version)
    return [DocumentRow(r.id, r.case_id, r.template_id, r.title, r.number, r.doc_version, r.origin, r.practice,
                        r.template_version, r.sha256, r.size, r.created_at, r.created_by,
                        newest[(r.template_id, r.subject_id)] == r.doc_version, r.issued_on, subject_id=r.subject_id,
                        voided_on=r.voided_on, void_reason=r.void_reason, voided_by=r.voided_by)
            for r in found]


def newest_version(s: Session, doc: Document) -> int:
    same_subject = Document.subject_id == doc.subject_id if doc.subject_id else Document.subject_id.is_(None)
    return s.exec(select(func.max(Document.doc_version)).where(Document.case_id == doc.case_id,
                                                               Document.template_id == doc.template_id, same_subject)).one()


def list_documents(store: Store, case_id: str) -> list[DocumentRow]:
    """Every version of every document of the case, oldest first (`latest` marks the current ones)."""
    reg = registry(store)
    with store.read() as s:
        load_case(s, case_id)
        rows = _rows(s, case_id)
    return [replace(r, template_title=e.title if (e := reg.entry(r.template_id)) else r.title) for r in rows]


def case_templates(store: Store, case_id: str, *, rules: RuleSet | None = None) -> list[CaseTemplate]:
    """The documents the case may make now or has made: per template of the steps it has been
    through and of its current step, in that order, one row per person for per-person documents.
    A row the rules do not allow yet and that was never made is left out."""
    rules = rules or ruleset.load(store)
    wf = rules.workflow
    with store.read() as s:
        case = load_case(s, case_id)
        state = case_codec.from_json(case.state)
        docs = _rows(s, case_id)
        reg = registry_in(s)
        people = case_subjects.rows(s, case_id)
        names = {p.id: case_subjects.name_of(s, p) for p in people}
        facts = {p.id: document_gate.facts_for(s, rules, case, state, p) for p in people}
        case_facts = document_gate.facts_for(s, rules, case, state, None)
        latest = {(d.template_id, d.subject_id): d for d in docs if d.latest}
        visited = list(dict.fromkeys([h.step_id for h in state.history if h.step_id in wf.steps] + [state.step_id]))
        # a template several steps name is listed once, under the current step where it is one of its
        # documents (else the first step reached); it may be made when any of those steps allows it
        places: dict[str, list] = {}
        for step_id in visited:
            for ref in wf.steps[step_id].documents:
                places.setdefault(ref.template, []).append((wf.steps[step_id], ref))
        alone = single_subject(people)
        out = []
        for template_id, found in places.items():
            step, ref = next(((st, r) for st, r in found if st.id == state.step_id), found[0])
            entry = reg.entry(template_id)
            per_person = entry is not None and per_person_in(reg, entry) and len(people) > 1
            targets = [p for p in people if not p.outcome or (template_id, p.id) in latest] if per_person else [None]
            for person in targets:
                subject_id = person.id if person is not None else None
                made = latest.get((template_id, subject_id))
                if made is None and not per_person:  # a document of one person made before the second joined
                    made = next((d for (tid, _), d in latest.items() if tid == template_id), None)
                checked_for = person or alone
                problem = document_gate.refusal_for(s, rules, case, state, template_id, checked_for,
                                                    facts[checked_for.id] if checked_for else case_facts, reg)
                if problem and made is None:
                    continue
                out.append(CaseTemplate(template_id, ref.title, step.id, step.title, step.id == state.step_id,
                                        made is not None and not made.voided, made.document_id if made else None,
                                        subject_id, names[subject_id] if subject_id else "", problem or ""))
    return out


def single_subject(people: list[CaseSubject]) -> CaseSubject | None:
    """The person a case document is checked for: the one still in the case, or the case's only one."""
    still_in = [p for p in people if not p.outcome]
    return still_in[0] if len(still_in) == 1 else people[0] if len(people) == 1 else None


def fonts_of(store: Store) -> Fonts:
    return fonts_from(settings.load(store))


def fonts_from(values: settings.OfficeSettings) -> Fonts:
    return Fonts(values.font_body, values.font_title, values.font_heading, values.font_kai)


def catalog_rows(s: Session, case_id: str, reg: Registry, author: str) -> list[dict]:
    """卷内目录 rows: the latest version of each document, in archive order (the dossier's own parts left out).

    责任者 is the body each document comes from (the manifest's `author`: the 纪委, its 监察办公室,
    the 党支部, the county); `author` names the 纪委 where the office has no name. 页号 says 未排版
    until build_dossier counts the pages; 备注: 作废, 修改稿.
    """
    docs = dossier_documents(s, case_id, reg)
    names = author_names(s, case_id, author)
    return [{"seq": str(i), "number": d.number, "title": d.title,
             "author": names["branch"](d.subject_id) if (key := author_of(reg, d.template_id)) == "branch"
             else names.get(key) or names["commission"],
             "date": (d.issued_on or d.created_at.date()).strftime("%Y%m%d"), "pages": context.UNPAGED,
             "note": "作废" if d.voided else ORIGIN_LABELS["edited"] if d.origin == "edited" else ""}
            for i, d in enumerate(docs, 1)]


def document_numbers(s: Session, case_id: str, subject_id: str | None = None) -> dict[str, str]:
    """Template id → the number of the case's document made with it (numbered ones only); the
    person's own where a per-person document exists for them, voided ones left out."""
    rows = s.exec(select(Document.template_id, Document.number, Document.subject_id)
                  .where(Document.case_id == case_id, Document.number != "", Document.voided_on.is_(None),
                         Document.deleted == False)).all()  # noqa: E712
    out: dict[str, str] = {}
    for tid, number, sid in sorted(rows, key=lambda r: r[2] == subject_id):  # the person's own last: they win
        if sid is None or sid == subject_id:
            out[tid] = number
    return out


def order_of(reg: Registry, template_id: str) -> int:
    entry = reg.entry(template_id)
    return entry.archive_order if entry else 10_000


def refused(exc: DomainError) -> InputError:
    return InputError(exc.code, exc.message, exc.detail)


def render(store: Store, case_id: str, template_id: str, *, today: date | None = None, practice: bool = False,
           out: Path | None = None, rules: RuleSet | None = None, subject: str | None = None) -> RenderResult:
    """Render, number and keep one document of a case (a new version when the template made one before).

    `subject` names the person a per-person document is about (name or id; needed when several
    are still in the case). The rules decide whether the document may be made now (its step, its
    `when`): InputError with the reason otherwise. The 成文日期 is fixed at the first render.
    `practice`: a red 练习 mark on every page and a practice number; a practice store (marked by
    services/practice.py) makes every document a practice document whoever asks.
    """
    today = today or date.today()
    rules = rules or ruleset.load(store)
    # everything read in the one write transaction: a render is one round trip to the store
    with store.write() as s:
        practice = practice or is_practice_in(s)
        reg = registry_in(s)
        try:
            template = reg.get(template_id)
        except DomainError as exc:
            raise refused(exc) from exc
        entry = template.entry
        if report_context.is_report(entry.stage):
            raise InputError("not_a_case_template",
                             f"“{entry.title}”是统计报告模板，请用“统计”页或 report 命令导出，不能作为案件文书生成。")
        fonts = fonts_from(settings.read(s))
        case = load_case(s, case_id)
        if case.owner_office_id != store.office.id:
            raise InputError("not_owner", "这个案件属于其他单位，本单位只能查看，不能制作文书。")
        row = subject_of(s, case, entry, subject, per_person_in(reg, entry))
        subject_id = row.id if row is not None and per_person_in(reg, entry) else None
        state = case_codec.from_json(case.state)
        problem = document_gate.refusal_for(s, rules, case, state, template_id, row, reg=reg)
        if problem:
            who = f"（{case_subjects.name_of(s, row)}）" if subject_id else ""
            raise InputError("document_not_due", f"现在不能制作《{entry.title}》{who}：{problem}。")
        office = s.get(Office, store.office.id)
        same = (Document.case_id == case_id, Document.template_id == template_id,
                Document.subject_id == subject_id if subject_id else Document.subject_id.is_(None))
        previous = s.exec(select(Document.number, Document.doc_version, Document.issued_on)  # not the bytes of the old version
                          .where(*same, Document.voided_on.is_(None))
                          .order_by(Document.doc_version.desc()).limit(1)).first()
        if previous is None and subject_id:
            # made before documents were per person (schema 0005): continued for the case's one person,
            # or for the person its title names (the old document was about the first still in the case)
            legacy = s.exec(select(Document.number, Document.doc_version, Document.issued_on, Document.title)
                            .where(*same[:2], Document.subject_id.is_(None), Document.voided_on.is_(None))
                            .order_by(Document.doc_version.desc()).limit(1)).first()
            if legacy is not None and (len(case_subjects.rows(s, case.id)) == 1
                                       or case_subjects.name_of(s, row) in legacy.title):
                previous = legacy
                same = (*same[:2], or_(Document.subject_id == subject_id, Document.subject_id.is_(None)))
        # a voided document keeps its versions and its number; the next one starts anew after them
        version = (s.exec(select(func.max(Document.doc_version)).where(*same)).one() or 0) + 1
        issued_on = previous.issued_on if previous is not None and previous.issued_on else \
            document_gate.act_date(s, rules, case, state, template_id, row) or today
        sanction, reserved = document_gate.decision_number(s, case, template_id, row) if subject_id else (None, "")
        if entry.number == CASE_NUMBER and not practice:
            # the 立案决定书 always shows the case's 立案 number, which exists only once the case is filed
            number = case.number
        elif previous is not None:
            number = previous.number
        elif reserved:
            number = reserved  # taken when the decision was made: numbers follow the acts, not the renders
        else:
            number = numbering.allocate(s, entry, office_id=office.id, office_abbr=office.abbr or office.code,
                                        office_code=office.code, year=issued_on.year, practice=practice,
                                        case_number=case.number)
        if sanction is not None and number and sanction.document_no != number:
            sanction.document_no = number  # a voided decision's number is spent: the sanction keeps the new one
            s.add(sanction)
        ctx, data = compose(s, rules, reg, template, office, case_id, row, subject_id, number=number, today=today,
                            issued_on=issued_on, practice=practice, fonts=fonts,
                            mark=f"练习文书　{number}" if practice else "")
        made = Made(entry.id, entry.version, title_of(data) or entry.title)
        doc = store_row(s, store, case, made, data, number=number, version=version, origin="rendered", practice=practice,
                        issued_on=issued_on, subject_id=subject_id)
        if number and previous is None:
            document_gate.record_number(s, rules, case, template_id, number)
    if out is not None:
        atomic_write_bytes(out, data)
    return RenderResult(doc.id, number, doc.sha256, version, made.title, entry.id, entry.version,
                        context.blanks(ctx, entry.required, rules.workflow))


def compose(s: Session, rules: RuleSet, reg: Registry, template, office: Office, case_id: str, row: CaseSubject | None,
            subject_id: str | None, *, number: str, today: date, issued_on: date, practice: bool, fonts: Fonts,
            mark: str) -> tuple[dict, bytes]:
    """The context and the rendered bytes of one document (nothing stored)."""
    entry = template.entry
    uses_catalog = not entry.variables or any(v.startswith("documents") for v in entry.variables)
    ctx = context.build(s, case_id, office_id=office.id, workflow=rules.workflow, catalog=rules.catalog, today=today,
                        number=number, doc_title=entry.title, practice=practice,
                        numbers=document_numbers(s, case_id, subject_id),
                        catalog_rows=catalog_rows(s, case_id, reg, office.name) if uses_catalog else [],
                        subject_id=row.id if row is not None else None, articles=rules.articles, issued_on=issued_on)
    try:
        data = render_docx(template.data, ctx, context.schema(rules.workflow), file=entry.file, fonts=fonts,
                           practice_mark=mark)
    except TemplateRefused as exc:
        raise refused(exc) from exc
    return ctx, data


PREVIEW_MARK = "样稿　不作正式文书使用"


def preview(store: Store, case_id: str, template_id: str, *, subject: str | None = None, today: date | None = None,
            rules: RuleSet | None = None) -> tuple[bytes, tuple[str, ...]]:
    """A 样稿 of any template for any case, for the people who write templates: rendered from the
    case, marked 样稿 on every page, without a number, not stored and not counted as made."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    with store.read() as s:
        reg = registry_in(s)
        try:
            template = reg.get(template_id)
        except DomainError as exc:
            raise refused(exc) from exc
        if report_context.is_report(template.entry.stage):
            raise InputError("not_a_case_template", f"“{template.entry.title}”是统计报告模板，不能作为案件文书预览。")
        case = load_case(s, case_id)
        per_person = per_person_in(reg, template.entry)
        row = subject_of(s, case, template.entry, subject, per_person)
        subject_id = row.id if row is not None and per_person else None
        ctx, data = compose(s, rules, reg, template, s.get(Office, store.office.id), case_id, row, subject_id,
                            number="", today=today, issued_on=today, practice=False, fonts=fonts_from(settings.read(s)),
                            mark=PREVIEW_MARK)
    return data, context.blanks(ctx, template.entry.required, rules.workflow)


def per_person_in(reg: Registry, entry: TemplateEntry) -> bool:
    """Whether the template makes one document per person: as the shipped template of that id says,
    whatever a county's manifest claims (its `variables` or `stage` cannot make a person's decision a
    case document); a county's own template as its manifest says."""
    return context.is_per_person(reg.shipped.get(entry.id) or entry)


def subject_of(s: Session, case: Case, entry: TemplateEntry, given: str | None, per_person: bool) -> CaseSubject | None:
    """The person the document is about: named, or the only one still in the case; None for a case
    document (which still reads the first person still in the case for its heading)."""
    if given not in (None, ""):
        return case_subjects.resolve(s, case, given)
    people = case_subjects.rows(s, case.id)
    still_in = [p for p in people if not p.outcome]
    if not per_person:
        return still_in[0] if len(still_in) == 1 else None
    if len(still_in) > 1:
        names = "、".join(case_subjects.name_of(s, p) for p in still_in)
        raise InputError("subject_required", f"《{entry.title}》是针对一名被审查调查人的文书，本案有{len(still_in)}人"
                                             f"（{names}），请选择为谁制作。")
    return still_in[0] if still_in else (people[0] if people else None)


@dataclass(frozen=True)
class Made:
    """Which template (and version) a stored document version comes from."""

    template_id: str
    template_version: str
    title: str


def store_row(s: Session, store: Store, case: Case, made: Made, data: bytes, *, number: str, version: int, origin: str,
              practice: bool, issued_on: date | None, subject_id: str | None = None) -> Document:
    """Add one document version and note its template in the case's engine state (both audited)."""
    doc = Document(owner_office_id=store.office.id, case_id=case.id, subject_id=subject_id, template_id=made.template_id,
                   template_version=made.template_version, title=made.title, number=number, doc_version=version, issued_on=issued_on,
                   origin=origin, practice=practice, content=data, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                   created_by=store.account.name)
    s.add(doc)
    state = case_codec.from_json(case.state)
    if doc.template_id not in state.documents:
        case.state = case_codec.to_json(replace(state, documents=state.documents | {doc.template_id}))
        s.add(case)
    s.flush()
    return doc


def load_document(s: Session, document_id: str) -> Document:
    doc = s.get(Document, document_id)
    if doc is None or doc.deleted:
        raise InputError("no_document", f"找不到文书“{document_id}”。")
    return doc


def content(store: Store, document_id: str) -> tuple[DocumentRow, bytes]:
    """The bytes of one document version; the export is noted in the audit log."""
    with store.write() as s:
        doc = load_document(s, document_id)
        newest = newest_version(s, doc)
        audit.note(s, "export", f"document:{doc.id}", f"导出文书（{doc.title}，第{doc.doc_version}版）")
        return _row(doc, newest == doc.doc_version), bytes(doc.content)


def export(store: Store, document_id: str, out: Path) -> DocumentRow:
    row, data = content(store, document_id)
    atomic_write_bytes(out, data)
    return row


def check_docx(data: bytes, name: str) -> None:
    """InputError unless `data` is a .docx a word processor wrote (python-docx can open it)."""
    from docx import Document as open_docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "word/document.xml" not in z.namelist():
                raise zipfile.BadZipFile("word/document.xml missing")
        open_docx(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure to open means the same thing to the user
        raise InputError("not_docx", f"“{name}”不是有效的 Word（.docx）文件，未保存。请在文字处理软件中另存为 .docx 格式后重试。") from exc


def store_version(store: Store, document_id: str, data: bytes, *, origin: str = "edited") -> DocumentRow:
    """Keep `data` (an edited file) as the next version of the document `document_id` belongs to."""
    check_docx(data, "编辑后的文书")
    with store.write() as s:
        base = load_document(s, document_id)
        case = load_case(s, base.case_id)
        if case.owner_office_id != store.office.id:
            raise InputError("not_owner", "这个案件属于其他单位，本单位不能保存它的文书。")
        if base.voided_on is not None:
            raise InputError("document_voided", f"《{base.title}》（{base.number or '无编号'}）已作废，不能再保存新的一版。")
        doc = store_row(s, store, case, Made(base.template_id, base.template_version, base.title), data, number=base.number,
                        version=newest_version(s, base) + 1, origin=origin, practice=base.practice, issued_on=base.issued_on,
                        subject_id=base.subject_id)
        return _row(doc, True)


def void(store: Store, document_id: str, reason: str, *, today: date | None = None) -> DocumentRow:
    """作废 a document: every version of it is marked (who, when, why) and kept; its number stays
    used. The case no longer counts it as made, so the rules ask for it again."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("void_reason_missing", "作废文书须写明作废原因。")
    today = today or date.today()
    with store.write() as s:
        base = load_document(s, document_id)
        case = load_case(s, base.case_id)
        if case.owner_office_id != store.office.id:
            raise InputError("not_owner", "这个案件属于其他单位，本单位不能作废它的文书。")
        if base.voided_on is not None:
            raise InputError("document_voided", f"《{base.title}》已于{context.cn_date(base.voided_on)}作废。")
        same_subject = Document.subject_id == base.subject_id if base.subject_id else Document.subject_id.is_(None)
        versions = s.exec(select(Document).where(Document.case_id == base.case_id, Document.template_id == base.template_id,
                                                 same_subject, Document.voided_on.is_(None))).all()
        for doc in versions:
            doc.voided_on, doc.void_reason, doc.voided_by = today, reason, store.account.name
            s.add(doc)
        still_made = s.exec(select(func.count()).select_from(Document).where(
            Document.case_id == base.case_id, Document.template_id == base.template_id, Document.voided_on.is_(None),
            Document.deleted == False)).one()  # noqa: E712
        if not still_made:
            state = case_codec.from_json(case.state)
            case.state = case_codec.to_json(replace(state, documents=state.documents - {base.template_id}))
            s.add(case)
        audit.note(s, "void", f"document:{base.id}",
                   f"作废文书（{base.title}{'，' + base.number if base.number else ''}）：{reason}")
        s.flush()
        return _row(base, True)


# --- dossier ---------------------------------------------------------------------------------

def safe_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "文书"


COVER_TEMPLATE = "dossier_cover"
NOTE_TEMPLATE = "dossier_note"  # 卷内备考表
DOSSIER_TEMPLATES = (COVER_TEMPLATE, CATALOG_TEMPLATE, NOTE_TEMPLATE)  # made by the dossier, never listed in it
DOSSIER_MARK = "练习案卷　不作正式档案"


def dossier_documents(s: Session, case_id: str, reg: Registry) -> list[DocumentRow]:
    """The documents of the dossier in archive order: the newest version of each, and of each voided
    one (作废 documents stay in the file, marked, beside the one made again in their place)."""
    newest: dict[tuple, DocumentRow] = {}
    for d in _rows(s, case_id):
        if d.template_id in DOSSIER_TEMPLATES:
            continue
        key = (d.template_id, d.subject_id)
        if d.voided:  # each voided document apart: its number and the day it was voided
            key += (d.number, d.voided_on)
        if key not in newest or newest[key].version < d.version:
            newest[key] = d
    return sorted(newest.values(), key=lambda d: (order_of(reg, d.template_id), d.created_at, d.template_id))


def author_of(reg: Registry, template_id: str) -> str:
    """The manifest's `author` of the template (a key of manifest.AUTHORS); a county template that does
    not say takes the shipped template's, anything else is the 纪委's own."""
    entry = reg.entry(template_id)
    shipped = reg.shipped.get(template_id)
    return (entry.author if entry else "") or (shipped.author if shipped else "") or "commission"


def author_names(s: Session, case_id: str, commission: str) -> dict:
    """manifest.AUTHORS key → the name printed as 责任者 ("branch": a function of the document's person)."""
    case = s.get(Case, case_id)
    office = s.get(Office, case.owner_office_id)
    parent = s.exec(select(Office).where(Office.code == office.parent_code)).first() if office and office.parent_code else None
    names = context.office_context(office.name, office.abbr, office.code, parent.name if parent else "") if office else {}
    subjects = s.exec(select(CaseSubject).where(CaseSubject.case_id == case_id, CaseSubject.deleted == False)  # noqa: E712
                      .order_by(CaseSubject.seq)).all()
    focus = next((r for r in subjects if not r.outcome), subjects[0] if subjects else None)

    def branch(subject_id: str | None) -> str:
        row = next((r for r in subjects if r.id == subject_id), focus)
        person = s.get(Person, row.person_id) if row is not None else None
        return context.branch_name(person.unit if person else "")

    return {"commission": names.get("commission") or commission, "supervision": names.get("supervision", ""),
            "party_committee": names.get("party_committee", ""), "county": names.get("parent_name", ""), "branch": branch}
