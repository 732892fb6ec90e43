"""The case's volume (案卷): 案卷封面, 卷内目录, the documents in archive order, 卷内备考表 — one
.docx, a PDF where LibreOffice is installed, and/or a folder of numbered files (docs/DOCUMENTS.md §1a).

The register it lists (`documents.catalog_rows`, `documents.dossier_documents`) is the documents
service's; this module lays the volume out, counts its pages and writes it.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.documents import context, dossier, pdf
from app.documents.render import Fonts, TemplateRefused, render_docx
from app.domain.errors import DomainError
from app.errors import InputError
from app.models import Office
from app.services import document_files, ruleset, settings
from app.services.practice_flag import is_practice_in
from app.services.cases import load_case
from app.services.documents import (
    CATALOG_TEMPLATE,
    COVER_TEMPLATE,
    DOSSIER_MARK,
    DOSSIER_TEMPLATES,
    NOTE_TEMPLATE,
    DocumentRow,
    catalog_rows,
    document_numbers,
    dossier_documents,
    fonts_from,
    load_document,
    refused,
    safe_name,
)
from app.services.ruleset import RuleSet
from app.services.template_registry import registry_in
from app.storage import audit
from app.storage.atomic import atomic_write_bytes
from app.storage.store import Store


@dataclass(frozen=True)
class Dossier:
    """What build_dossier made: `pages` the documents' pages (None when not laid out), `pdf` the PDF."""

    documents: int
    path: Path | None
    folder: Path | None
    files: tuple[str, ...]
    pdf: Path | None = None
    pages: int | None = None


def build_dossier(store: Store, case_id: str, *, out: Path | None = None, folder: Path | None = None,
                  pdf_out: Path | None = None, today: date | None = None, rules: RuleSet | None = None,
                  layout: bool | None = None) -> Dossier:
    """案卷封面, 卷内目录, the case's latest documents in archive order, 卷内备考表: one .docx, a PDF, a folder.

    Where LibreOffice is installed (`layout`, default: app/documents/pdf.available()) every document is
    laid out once to count its pages: the 卷内目录 gives each its 页号 (from 1, "3-5" for several pages)
    and the 备考表 the pages of the volume; without it the 页号 say 未排版 and a note says why. The
    PDF is each part laid out on its own with the page numbers it has in the volume, one after the
    other, so the 页号 are the pages of the PDF. A practice dossier carries the mark on every page.
    """
    today = today or date.today()
    rules = rules or ruleset.load(store)
    if pdf_out is not None and not pdf.available():
        raise InputError("libreoffice_missing", "本机没有安装 LibreOffice，无法生成 PDF 案卷。"
                                                "可以先组卷为 .docx，再在文字处理软件中另存为 PDF。")
    layout = pdf.available() if layout is None else layout or pdf_out is not None
    with store.write() as s:
        load_case(s, case_id)
        reg = registry_in(s)
        try:
            parts = {tid: reg.get(tid) for tid in DOSSIER_TEMPLATES}
        except DomainError as exc:
            raise refused(exc) from exc
        office = s.get(Office, store.office.id)
        docs = dossier_documents(s, case_id, reg)
        if not docs:
            raise InputError("no_documents", "这个案件还没有任何文书，无法组卷。请先制作文书。")
        rows = catalog_rows(s, case_id, reg, office.name)
        practice = is_practice_in(s) or any(d.practice for d in docs)
        dates = sorted(d.issued_on or d.created_at.date() for d in docs)
        facts = {"period": f"{context.cn_date(dates[0])}至{context.cn_date(dates[-1])}", "filed_by": store.account.name,
                 "filed_on": context.cn_date(today)}
        ctx = context.build(s, case_id, office_id=office.id, workflow=rules.workflow, catalog=rules.catalog, today=today,
                            doc_title=parts[CATALOG_TEMPLATE].entry.title, catalog_rows=rows, practice=practice,
                            numbers=document_numbers(s, case_id), dossier=facts)
        contents = [bytes(load_document(s, d.document_id).content) for d in docs]
        fonts = fonts_from(settings.read(s))
        audit.note(s, "export", f"case:{case_id}", f"导出案卷（{len(docs)}份文书）")
    mark = DOSSIER_MARK if practice else ""

    def render_parts() -> dict[str, bytes]:
        made = {}
        for tid, template in parts.items():
            try:
                made[tid] = render_docx(template.data, {**ctx, "doc_title": template.entry.title}, context.schema(rules.workflow),
                                        file=template.entry.file, fonts=fonts)
            except TemplateRefused as exc:
                raise refused(exc) from exc
        return made

    # plain copies for LibreOffice, private (0700) in the folder a crash's leftovers are purged from at the next start
    scratch = document_files.temp_root(store.paths)
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dossier-", dir=scratch) as tmp:
        work = Path(tmp)
        try:
            # each document as it stands in the volume (its page setup, styles, footers), laid out alone and counted
            shell = render_parts()[COVER_TEMPLATE]
            counts, failed = None, ""
            if layout:
                try:
                    counts = _page_counts([dossier.part(shell, data) for data in contents], work / "count")
                except InputError as exc:
                    if pdf_out is not None:
                        raise
                    failed = exc.message  # a Word volume is still made, its 页号 left to the word processor
            _paginate(ctx, docs, counts, practice, failed)
            made = render_parts()
            front, back = [made[COVER_TEMPLATE], made[CATALOG_TEMPLATE]], [made[NOTE_TEMPLATE]]
            if out is not None:
                atomic_write_bytes(out, dossier.volume(front, contents, back, practice_mark=mark, fonts=fonts))
            if pdf_out is not None:
                atomic_write_bytes(pdf_out, _dossier_pdf(front, contents, back, counts, work / "pdf", mark, fonts))
        except (ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise InputError("dossier_failed", f"组卷失败：有文书无法合并（{exc}）。可改用 --folder 逐份导出。") from exc
    # file names sort in the volume's order; a document's number is its 序号 in the 卷内目录
    title = {tid: safe_name(template.entry.title) for tid, template in parts.items()}
    names = [f"00_1_{title[COVER_TEMPLATE]}.docx", f"00_2_{title[CATALOG_TEMPLATE]}.docx"] + [
        f"{i:02d}_{safe_name(d.title)}{'_' + safe_name(d.number) if d.number else ''}.docx" for i, d in enumerate(docs, 1)] + [
        f"{max(99, len(docs) + 1)}_{title[NOTE_TEMPLATE]}.docx"]
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        alone = [dossier.volume([data], [], [], practice_mark=mark, fonts=fonts) for data in front]
        for name, data in zip(names, alone + contents + [dossier.volume(back, [], [], practice_mark=mark, fonts=fonts)],
                              strict=True):
            atomic_write_bytes(folder / name, data)
    return Dossier(len(docs), out, folder, tuple(names), pdf_out, sum(counts) if counts is not None else None)


def page_range(start: int, pages: int) -> str:
    return f"{start}-{start + pages - 1}" if pages > 1 else str(start)


def _paginate(ctx: dict, docs: list[DocumentRow], counts: list[int] | None, practice: bool, failed: str = "") -> None:
    """Put the counted pages into the 卷内目录 rows and the 备考表 (or say that nothing was laid out, and
    why: no LibreOffice, or `failed`, what LibreOffice said)."""
    notes = []
    if counts is not None:
        start = 1
        for row, pages in zip(ctx["documents"], counts, strict=True):
            row["pages"] = page_range(start, pages)
            start += pages
        ctx["dossier"].update(extent=f"{len(docs)}件、{sum(counts)}页", pages_note="")
        notes.append(f"卷内文件页号从1起连续编排（共{sum(counts)}页）；案卷封面、卷内目录和本表不编页号。")
    elif failed:
        ctx["dossier"].update(extent=f"{len(docs)}件（页数未排版）",
                              pages_note=f"注：页号未排版（LibreOffice 排版未成功：{failed}）。请在文字处理软件中打开案卷，按实际页码填写页号。")
        notes.append("组卷时 LibreOffice 排版未成功，页号和页数未计算，须在文字处理软件中核对后填写。")
    else:
        ctx["dossier"].update(extent=f"{len(docs)}件（页数未排版）", pages_note=context.UNPAGED_NOTE)
        notes.append("组卷时本机没有排版软件（LibreOffice），页号和页数未计算，须在文字处理软件中核对后填写。")
    for i, d in enumerate(docs, 1):
        if d.voided:
            reason = d.void_reason
            notes.append(f"第{i}件《{d.title}》已作废{'（' + reason + '）' if reason else ''}，随卷保存备查。")
    edited = [str(i) for i, d in enumerate(docs, 1) if d.origin == "edited"]
    if edited:
        notes.append(f"第{'、'.join(edited)}件为在文字处理软件中修改后保存的版本。")
    if practice:
        notes.append("本卷为练习案卷，不作正式档案使用。")
    ctx["dossier"]["notes"] = [{"text": context.clean(n)} for n in notes]


def _page_counts(contents: list[bytes], work: Path) -> list[int]:
    """The pages of each document laid out on its own by LibreOffice (one call for all)."""
    work.mkdir()
    files = []
    for i, data in enumerate(contents, 1):
        files.append(work / f"{i:03d}.docx")
        files[-1].write_bytes(data)
    return [pdf.page_count(p) for p in pdf.convert(files, work / "pdf", timeout=PDF_TIMEOUT)]


PDF_TIMEOUT = 600  # seconds for one LibreOffice call over a whole volume on a slow PC


def _dossier_pdf(front: list[bytes], contents: list[bytes], back: list[bytes], counts: list[int], work: Path, mark: str,
                 fonts: Fonts) -> bytes:
    """The volume's PDF: front matter, each document numbered from its 页号, 备考表 — laid out one by one and joined."""
    from pypdf import PdfWriter

    work.mkdir()
    sources = [dossier.volume(front, [], [], practice_mark=mark, fonts=fonts)]
    start = 1
    for data, pages in zip(contents, counts, strict=True):
        sources.append(dossier.part(front[0], data, start=start, practice_mark=mark, fonts=fonts))
        start += pages
    sources.append(dossier.volume(back, [], [], practice_mark=mark, fonts=fonts))
    files = []
    for i, data in enumerate(sources):
        files.append(work / f"{i:03d}.docx")
        files[-1].write_bytes(data)
    pdfs = pdf.convert(files, work / "pdf", timeout=PDF_TIMEOUT)
    laid_out = [pdf.page_count(p) for p in pdfs[1:-1]]
    if laid_out != counts:  # the same parts, only the page numbers and the mark changed: the layout must not move
        raise InputError("dossier_layout_changed", "排版结果前后不一致，页号可能不准，未写入 PDF。请重试。",
                         {"counted": counts, "laid_out": laid_out})
    writer = PdfWriter()
    for p in pdfs:
        writer.append(str(p))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
