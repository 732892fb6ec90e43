"""The dossier (案卷): a case's documents in archive order behind their 卷内目录, as one .docx.

docxcompose does the merging (styles, numbering, images, section handling); each document
starts on a new page, and the page numbers of the first document's footer run through the
whole volume as the archive's page numbering expects.
"""

from __future__ import annotations

import io

from docx import Document as open_docx
from docx.oxml.ns import qn
from docxcompose.composer import Composer
from lxml import etree


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


def compose(parts: list[bytes]) -> bytes:
    """One .docx of `parts` in order (the first one's page setup and footers apply to all)."""
    master = open_docx(io.BytesIO(parts[0]))
    composer = Composer(master)
    for data in parts[1:]:
        doc = open_docx(io.BytesIO(data))
        _start_on_new_page(doc)
        composer.append(doc)
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()
