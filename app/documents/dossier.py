"""The dossier (案卷): 案卷封面 and 卷内目录, the case's documents in archive order, 卷内备考表 — as one .docx.

docxcompose does the merging (styles, numbering, images); each part starts on a new page. The
volume has three sections: the front matter (cover, catalogue) and the 备考表 carry no page
numbers, the documents between them are numbered from 1 in the footers of the first part
(— 1 —, odd pages right, even left), as the 卷内目录's 页号 count them (纪检监察机关案件档案管理办法
第十条: 装订的案卷必须依次编定页号). docxcompose keeps only the first part's headers and footers, so
the practice mark is put into every section of the finished volume, not taken from the parts.

`part` is one document as it stands in the volume — the first part's page setup, styles and
page-number footers, every section numbered, its page numbers from a given start — for LibreOffice
to lay out on its own: its pages are counted for the 卷内目录, and the PDF of a dossier is these parts
one after the other, so the 页号 are the pages of the PDF by construction.
"""

from __future__ import annotations

import io
from copy import deepcopy

from docx import Document as open_docx
from docx.oxml.ns import qn
from docxcompose.composer import Composer
from lxml import etree

from app.documents.render import Fonts, mark_practice

# w:sectPr children that come after w:pgNumType (ECMA-376 order), to insert it in its place
_AFTER_PG_NUM = tuple(qn(f"w:{n}") for n in ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
                                              "rtlGutter", "docGrid", "printerSettings", "sectPrChange"))
_REFS = (qn("w:headerReference"), qn("w:footerReference"))


def _start_on_new_page(doc) -> None:
    body = doc.element.body
    first = next((el for el in body if el.tag in (qn("w:p"), qn("w:tbl"))), None)
    if first is None:
        return
    if first.tag == qn("w:tbl"):
        # a document opening with a table gets an empty paragraph in front to carry the break
        p = etree.Element(qn("w:p"))
        first.addprevious(p)
        first = p
    ppr = first.find(qn("w:pPr"))
    if ppr is None:
        ppr = etree.Element(qn("w:pPr"))
        first.insert(0, ppr)
    brk = etree.Element(qn("w:pageBreakBefore"))
    # schema order: w:pStyle, w:keepNext, w:keepLines, then w:pageBreakBefore
    before = [c for c in ppr if c.tag in (qn("w:pStyle"), qn("w:keepNext"), qn("w:keepLines"))]
    if before:
        before[-1].addnext(brk)
    else:
        ppr.insert(0, brk)


def _end_with_paragraph(doc) -> None:
    """A document ending in a table gets the empty paragraph a word processor puts after it on its own,
    so that it takes as many pages inside the volume as it did alone."""
    blocks = [el for el in doc.element.body if el.tag != qn("w:sectPr")]
    if blocks and blocks[-1].tag != qn("w:p"):
        blocks[-1].addnext(etree.Element(qn("w:p")))


def _set_page_start(sect, start: int | None) -> None:
    """Page numbers of the section restart at `start`; None: they continue. (docxcompose may leave a
    second w:pgNumType behind, which word processors would read instead: one is kept, in its place.)"""
    found = sect.findall(qn("w:pgNumType"))
    pg = deepcopy(found[0]) if found else etree.Element(qn("w:pgNumType"))
    for old in found:
        sect.remove(old)
    if start is None:
        pg.attrib.pop(qn("w:start"), None)
        if not pg.attrib:
            return
    else:
        pg.set(qn("w:start"), str(start))
    later = next((c for c in sect if c.tag in _AFTER_PG_NUM), None)
    if later is not None:
        later.addprevious(pg)
    else:
        sect.append(pg)


def _drop(sect, *tags: str) -> None:
    for child in [c for c in sect if c.tag in tags]:
        sect.remove(child)


def _end_section_before(block, sect) -> None:
    """Close the section that runs up to `block` with `sect` (the next section starts on a new page)."""
    if block.tag == qn("w:p"):  # the section break makes the new page: no page break of its own as well
        ppr = block.find(qn("w:pPr"))
        if ppr is not None:
            _drop(ppr, qn("w:pageBreakBefore"))
    prev = block.getprevious()
    if prev is not None and prev.tag == qn("w:p") and prev.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is None:
        ppr = prev.find(qn("w:pPr"))
        if ppr is None:
            ppr = etree.Element(qn("w:pPr"))
            prev.insert(0, ppr)
        change = ppr.find(qn("w:pPrChange"))
        if change is not None:
            change.addprevious(sect)
        else:
            ppr.append(sect)
        return
    p = etree.Element(qn("w:p"))
    etree.SubElement(p, qn("w:pPr")).append(sect)
    block.addprevious(p)


def volume(front: list[bytes], documents: list[bytes], back: list[bytes], *, practice_mark: str = "",
           fonts: Fonts = Fonts()) -> bytes:
    """One .docx: `front` (at least one part) and `back` without page numbers, `documents` numbered from 1."""
    parts = front + documents + back
    master = open_docx(io.BytesIO(parts[0]))
    _end_with_paragraph(master)
    composer = Composer(master)
    body = master.element.body
    firsts = [next(el for el in body if el.tag != qn("w:sectPr"))]
    for data in parts[1:]:
        doc = open_docx(io.BytesIO(data))
        _start_on_new_page(doc)
        _end_with_paragraph(doc)
        index = composer.append_index()
        composer.append(doc)
        firsts.append(body[index])
    last = body.find(qn("w:sectPr"))  # the first part's page setup, footers with the page number
    footers = [deepcopy(r) for r in last if r.tag == qn("w:footerReference")]
    plain = deepcopy(last)
    _drop(plain, *_REFS, qn("w:pgNumType"), qn("w:titlePg"))
    if documents:
        numbered_from = firsts[len(front)]
        numbered_to = firsts[len(front) + len(documents)] if back else None
        _end_section_before(numbered_from, deepcopy(plain))  # the front matter: no page numbers
        if numbered_to is not None:
            _end_section_before(numbered_to, deepcopy(last))
        _number(_sections_between(body, numbered_from, numbered_to), footers, 1)
    if back or not documents:
        # the last section (the 备考表, or a volume of front matter only): no page numbers
        _drop(last, *_REFS, qn("w:pgNumType"), qn("w:titlePg"))
        if documents:  # a section without footers would show the documents' page numbers: blank ones
            section = master.sections[-1]
            section.footer.is_linked_to_previous = False
            section.even_page_footer.is_linked_to_previous = False
    if practice_mark:
        mark_practice(master, practice_mark, fonts)
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()


def _sections_between(body, start_block, end_block) -> list:
    """The w:sectPr elements closing the sections from `start_block` up to `end_block` (None: the end)."""
    found, inside = [], False
    for el in body:
        if el is start_block:
            inside = True
        if el is end_block:
            break
        if inside:
            found += [el] if el.tag == qn("w:sectPr") else list(el.iter(qn("w:sectPr")))
    return found


def _number(sections: list, footers: list, start: int) -> None:
    """Every section of the documents (an edited one may bring several, with a first page of its own)
    shows the page number; they run on from `start`."""
    for i, sp in enumerate(sections):
        _drop(sp, *_REFS, qn("w:titlePg"))
        for ref in reversed(footers):
            sp.insert(0, deepcopy(ref))
        _set_page_start(sp, start if i == 0 else None)


def part(master: bytes, data: bytes, *, start: int = 1, practice_mark: str = "", fonts: Fonts = Fonts()) -> bytes:
    """The document `data` alone as it stands in a volume whose first part is `master`: master's page
    setup, styles and page-number footers, page numbers from `start`, the practice mark if given."""
    shell = open_docx(io.BytesIO(master))
    body = shell.element.body
    for el in [el for el in body if el.tag != qn("w:sectPr")]:
        body.remove(el)
    composer = Composer(shell)
    doc = open_docx(io.BytesIO(data))
    _end_with_paragraph(doc)
    composer.append(doc)
    last = body.find(qn("w:sectPr"))
    _number(list(body.iter(qn("w:sectPr"))), [deepcopy(r) for r in last if r.tag == qn("w:footerReference")], start)
    if practice_mark:
        mark_practice(shell, practice_mark, fonts)
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()
