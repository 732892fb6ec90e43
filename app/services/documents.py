"""Case documents: render from templates, number, keep (inside the encrypted store), list, export, dossier.

A rendered document is one row of `Document` with the template id and version, its number, its
sha256 and its bytes; rendering again, or storing an edited file, adds a row with the next
doc_version and the same number, so nothing is ever overwritten. Numbering, rendering and
storing happen in one write transaction: a refused template or a failed rendering leaves no
row, no number used and no change to the case. When a document is stored its template id joins
the case's engine state (`documents`), which the workflow engine reads.

Templates a county pushes down are accepted only when `templates lint` finds nothing wrong;
they are kept in the store (setting `template:<id>`) and take the place of the shipped ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import String, cast, func
from sqlmodel import Session, select

from app.documents import context, dossier, lint, numbering, report_context
from app.documents.manifest import CASE_NUMBER, TemplateEntry, parse_entry, parse_manifest
from app.documents.registry import Registry, shipped_dir
from app.documents.render import Fonts, TemplateRefused, render_docx, title_of
from app.domain.errors import DomainError
from app.errors import InputError
from app.models import Case, Document, Office, Setting
from app.paths import resources_dir
from app.services import case_codec, ruleset, settings
from app.services.cases import load_case
from app.services.ruleset import RuleSet
from app.storage import audit, setting_rows
from app.storage.atomic import atomic_write_bytes
from app.storage.store import Store

TEMPLATE_KEY_PREFIX = "template:"
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
class DossierResult:
    documents: int
    path: Path | None
    folder: Path | None
    files: tuple[str, ...]


@dataclass(frozen=True)
class InstallResult:
    installed: tuple[str, ...]


# --- templates -------------------------------------------------------------------------------

def installed_templates(s: Session) -> dict[str, tuple[TemplateEntry, bytes]]:
    # the stored JSON texts, decoded (base64 and manifest entry) once per distinct text: every
    # render and every load of the case view reads the installed templates
    raw = cast(Setting.value, String)
    rows = s.exec(select(Setting.key, raw).where(ruleset.prefix_range(Setting.key, TEMPLATE_KEY_PREFIX))
                  .order_by(Setting.key)).all()
    found = {}
    for key, text in rows:
        template = installed_template(key, text)
        if template is not None:
            found[template[0].id] = template
    return found


@lru_cache(maxsize=128)  # a county installs the whole set, about 50 templates of 20-40 KB
def installed_template(key: str, text: str) -> tuple[TemplateEntry, bytes] | None:
    """One stored template row (key and stored JSON text); None when damaged."""
    problems: list[str] = []
    stored = json.loads(text)
    value = stored if isinstance(stored, dict) else {}
    entry = parse_entry(value.get("entry") or {}, f"已安装模板“{key}”", problems)
    try:
        data = base64.b64decode(str(value.get("docx", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if entry is None or problems or not data:
        return None  # a damaged row falls back to the shipped template rather than failing every render
    return entry, data


def registry(store: Store) -> Registry:
    with store.read() as s:
        return registry_in(s)


def registry_in(s: Session) -> Registry:
    return Registry(shipped_dir(), installed_templates(s))


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
                                            "number", "counter")}
    data["variables"] = list(entry.variables)
    data["required"] = list(entry.required)
    return data


# --- documents -------------------------------------------------------------------------------

def _row(doc: Document, latest: bool) -> DocumentRow:
    return DocumentRow(doc.id, doc.case_id, doc.template_id, doc.title, doc.number, doc.doc_version, doc.origin, doc.practice,
                       doc.template_version, doc.sha256, doc.size, doc.created_at, doc.created_by, latest, doc.issued_on)


_LIST_COLUMNS = (Document.id, Document.case_id, Document.template_id, Document.title, Document.number, Document.doc_version,
                 Document.origin, Document.practice, Document.template_version, Document.sha256, Document.size,
                 Document.created_at, Document.created_by, Document.issued_on)


def _rows(s: Session, case_id: str) -> list[DocumentRow]:
    """The case's documents without their bytes, oldest first; `latest` marks each template's newest version."""
    found = s.exec(select(*_LIST_COLUMNS).where(Document.case_id == case_id, Document.deleted == False)  # noqa: E712
                   .order_by(Document.created_at, Document.template_id, Document.doc_version)).all()
    newest: dict[str, int] = {}
    for r in found:
        newest[r.template_id] = max(newest.get(r.template_id, 0), r.doc_version)
    return [DocumentRow(r.id, r.case_id, r.template_id, r.title, r.number, r.doc_version, r.origin, r.practice,
                        r.template_version, r.sha256, r.size, r.created_at, r.created_by, newest[r.template_id] == r.doc_version,
                        r.issued_on)
            for r in found]


def list_documents(store: Store, case_id: str) -> list[DocumentRow]:
    """Every version of every document of the case, oldest first (`latest` marks the current ones)."""
    reg = registry(store)
    with store.read() as s:
        load_case(s, case_id)
        rows = _rows(s, case_id)
    return [replace(r, template_title=e.title if (e := reg.entry(r.template_id)) else r.title) for r in rows]


def case_templates(store: Store, case_id: str, *, rules: RuleSet | None = None) -> list[CaseTemplate]:
    """The templates of the steps the case has been through and of its current step, in that order."""
    rules = rules or ruleset.load(store)
    wf = rules.workflow
    with store.read() as s:
        case = load_case(s, case_id)
        state = case_codec.from_json(case.state)
        docs = _rows(s, case_id)
    latest = {d.template_id: d.document_id for d in docs if d.latest}
    visited = list(dict.fromkeys([h.step_id for h in state.history if h.step_id in wf.steps] + [state.step_id]))
    out, seen = [], set()
    for step_id in visited:
        step = wf.steps[step_id]
        for ref in step.documents:
            if ref.template in seen:
                continue
            seen.add(ref.template)
            out.append(CaseTemplate(ref.template, ref.title, step_id, step.title, step_id == state.step_id,
                                    ref.template in latest, latest.get(ref.template)))
    return out


def fonts_of(store: Store) -> Fonts:
    return fonts_from(settings.load(store))


def fonts_from(values: settings.OfficeSettings) -> Fonts:
    return Fonts(values.font_body, values.font_title, values.font_heading, values.font_kai)


def catalog_rows(s: Session, case_id: str, reg: Registry, author: str) -> list[dict]:
    """卷内目录 rows: the latest version of each document, in archive order (the catalog itself left out)."""
    docs = [d for d in _rows(s, case_id) if d.latest and d.template_id != CATALOG_TEMPLATE]
    docs.sort(key=lambda d: (order_of(reg, d.template_id), d.created_at, d.template_id))
    return [{"seq": str(i), "number": d.number, "author": author, "title": d.title,
             "date": (d.issued_on or d.created_at.date()).strftime("%Y%m%d"),
             "pages": "", "note": ORIGIN_LABELS["edited"] if d.origin == "edited" else ""}
            for i, d in enumerate(docs, 1)]


def document_numbers(s: Session, case_id: str) -> dict[str, str]:
    """Template id → the number of the case's document made with it (numbered ones only)."""
    rows = s.exec(select(Document.template_id, Document.number).where(Document.case_id == case_id, Document.number != "",
                                                                     Document.deleted == False)).all()  # noqa: E712
    return {tid: number for tid, number in rows}


def order_of(reg: Registry, template_id: str) -> int:
    entry = reg.entry(template_id)
    return entry.archive_order if entry else 10_000


def _refused(exc: DomainError) -> InputError:
    return InputError(exc.code, exc.message, exc.detail)


def render(store: Store, case_id: str, template_id: str, *, today: date | None = None, practice: bool = False,
           out: Path | None = None, rules: RuleSet | None = None) -> RenderResult:
    """Render, number and keep one document of a case (a new version when the template made one before).

    `practice`: a red 练习 mark on every page and a practice number; a practice store (marked by
    services/practice.py) makes every document a practice document whoever asks.
    """
    from app.services.practice import is_practice_in

    today = today or date.today()
    rules = rules or ruleset.load(store)
    schema = context.schema(rules.workflow)
    # everything read in the one write transaction: a render is one round trip to the store
    with store.write() as s:
        practice = practice or is_practice_in(s)
        reg = registry_in(s)
        try:
            template = reg.get(template_id)
        except DomainError as exc:
            raise _refused(exc) from exc
        entry = template.entry
        if report_context.is_report(entry.stage):
            raise InputError("not_a_case_template",
                             f"“{entry.title}”是统计报告模板，请用“统计”页或 report 命令导出，不能作为案件文书生成。")
        fonts = fonts_from(settings.read(s))
        case = load_case(s, case_id)
        if case.owner_office_id != store.office.id:
            raise InputError("not_owner", "这个案件属于其他单位，本单位只能查看，不能制作文书。")
        office = s.get(Office, store.office.id)
        previous = s.exec(select(Document.number, Document.doc_version)  # not the bytes of the old version
                          .where(Document.case_id == case_id, Document.template_id == template_id)
                          .order_by(Document.doc_version.desc()).limit(1)).first()
        if entry.number == CASE_NUMBER and not practice:
            # the 立案决定书 always shows the case's 立案 number, which exists only once the case is filed
            number, version = case.number, (previous.doc_version + 1 if previous else 1)
        elif previous is not None:
            number, version = previous.number, previous.doc_version + 1
        else:
            number = numbering.allocate(s, entry, office_id=office.id, office_abbr=office.abbr or office.code,
                                        office_code=office.code, year=today.year, practice=practice, case_number=case.number)
            version = 1
        uses_catalog = not entry.variables or any(v.startswith("documents") for v in entry.variables)
        ctx = context.build(s, case_id, office_id=office.id, workflow=rules.workflow, catalog=rules.catalog, today=today,
                            number=number, doc_title=entry.title, practice=practice, numbers=document_numbers(s, case_id),
                            catalog_rows=catalog_rows(s, case_id, reg, office.name) if uses_catalog else [])
        try:
            data = render_docx(template.data, ctx, schema, file=entry.file, fonts=fonts,
                               practice_mark=f"练习文书　{number}" if practice else "")
        except TemplateRefused as exc:
            raise _refused(exc) from exc
        made = Made(entry.id, entry.version, title_of(data) or entry.title)
        doc = store_row(s, store, case, made, data, number=number, version=version, origin="rendered", practice=practice,
                        issued_on=today)
    if out is not None:
        atomic_write_bytes(out, data)
    return RenderResult(doc.id, number, doc.sha256, version, made.title, entry.id, entry.version,
                        context.blanks(ctx, entry.required, rules.workflow))


@dataclass(frozen=True)
class Made:
    """Which template (and version) a stored document version comes from."""

    template_id: str
    template_version: str
    title: str


def store_row(s: Session, store: Store, case: Case, made: Made, data: bytes, *, number: str, version: int, origin: str,
              practice: bool, issued_on: date | None) -> Document:
    """Add one document version and note its template in the case's engine state (both audited)."""
    doc = Document(owner_office_id=store.office.id, case_id=case.id, template_id=made.template_id,
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


def _load(s: Session, document_id: str) -> Document:
    doc = s.get(Document, document_id)
    if doc is None or doc.deleted:
        raise InputError("no_document", f"找不到文书“{document_id}”。")
    return doc


def content(store: Store, document_id: str) -> tuple[DocumentRow, bytes]:
    """The bytes of one document version; the export is noted in the audit log."""
    with store.write() as s:
        doc = _load(s, document_id)
        newest = s.exec(select(func.max(Document.doc_version)).where(Document.case_id == doc.case_id,
                                                                     Document.template_id == doc.template_id)).one()
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
        base = _load(s, document_id)
        case = load_case(s, base.case_id)
        if case.owner_office_id != store.office.id:
            raise InputError("not_owner", "这个案件属于其他单位，本单位不能保存它的文书。")
        newest = s.exec(select(func.max(Document.doc_version)).where(Document.case_id == base.case_id,
                                                                     Document.template_id == base.template_id)).one()
        doc = store_row(s, store, case, Made(base.template_id, base.template_version, base.title), data, number=base.number,
                        version=newest + 1, origin=origin, practice=base.practice, issued_on=base.issued_on)
        return _row(doc, True)


# --- dossier ---------------------------------------------------------------------------------

def safe_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "文书"


def build_dossier(store: Store, case_id: str, *, out: Path | None = None, folder: Path | None = None,
                  today: date | None = None, rules: RuleSet | None = None) -> DossierResult:
    """The case's latest documents in archive order after a fresh 卷内目录: one .docx and/or a folder of files."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    reg = registry(store)
    catalog = reg.get(CATALOG_TEMPLATE)
    with store.write() as s:
        load_case(s, case_id)
        office = s.get(Office, store.office.id)
        rows = catalog_rows(s, case_id, reg, office.name)
        docs = [d for d in _rows(s, case_id) if d.latest and d.template_id != CATALOG_TEMPLATE]
        docs.sort(key=lambda d: (order_of(reg, d.template_id), d.created_at, d.template_id))
        if not docs:
            raise InputError("no_documents", "这个案件还没有任何文书，无法组卷。请先制作文书。")
        ctx = context.build(s, case_id, office_id=office.id, workflow=rules.workflow, catalog=rules.catalog, today=today,
                            doc_title=catalog.entry.title, catalog_rows=rows, numbers=document_numbers(s, case_id))
        contents = [bytes(_load(s, d.document_id).content) for d in docs]
        audit.note(s, "export", f"case:{case_id}", f"导出案卷（{len(docs)}份文书）")
    try:
        front = render_docx(catalog.data, ctx, context.schema(rules.workflow), file=catalog.entry.file, fonts=fonts_of(store))
    except TemplateRefused as exc:
        raise _refused(exc) from exc
    names = [f"00_{safe_name(catalog.entry.title)}.docx"] + [
        f"{i:02d}_{safe_name(d.title)}{'_' + safe_name(d.number) if d.number else ''}.docx" for i, d in enumerate(docs, 1)]
    if out is not None:
        try:
            atomic_write_bytes(out, dossier.compose([front] + contents))
        except (ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise InputError("dossier_failed", f"组卷失败：有文书无法合并（{exc}）。可改用 --folder 逐份导出。") from exc
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in zip(names, [front] + contents, strict=True):
            atomic_write_bytes(folder / name, data)
    return DossierResult(len(docs), out, folder, tuple(names))

