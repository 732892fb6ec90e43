"""What LibreOffice makes of every template (GB/T 9704-2012): faces, 28 characters a line, no lost marks.

Every case template is made for the walked case of tests/integration/test_documents.py — rendered
where the rules allow it, else as a 样稿 (preview) — and the app's own conversion
(app/documents/pdf.py: one soffice call, the shipped fonts.conf) makes the PDFs; poppler reads them
back (pdftotext, pdffonts: tools/install.sh --test). The XML side of the layout is checked in
tests/unit/test_template_layout.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter

import pytest
from lxml import etree

from app.documents import pdf
from app.errors import InputError
from app.services import cases, documents, ruleset

from tests.integration.test_documents import CLUE, ROUTE, TODAY, case_template_ids, make_store, open_store, walk

pytestmark = pytest.mark.skipif(not (pdf.available() and shutil.which("pdftotext") and shutil.which("pdffonts")),
                                reason="needs LibreOffice and poppler-utils: bash tools/install.sh --test")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MARKS = "，。；：、"
FULL_WIDTH = re.compile(r"[\u2014\u2018-\u201d\u2026\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
HALF_WIDTH = re.compile(r"[!-~]")
# full-width punctuation LibreOffice (and Word: characterSpacingControl compressPunctuation) may set half wide
COMPRESSIBLE = set("，。、；：？！“”‘’（）《》〔〕【】")
STANDARD_FONTS = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"}


MM = 72 / 25.4
TEXT_LEFT, TEXT_RIGHT = 28 * MM, (210 - 26) * MM  # the text block, in PDF points
XHTML = "{http://www.w3.org/1999/xhtml}"


def line_width(line: str) -> tuple[float, int]:
    """Characters of a line in 3号 widths (a digit or Latin letter is half), and its compressible marks."""
    s = line.strip()
    return len(FULL_WIDTH.findall(s)) + len(HALF_WIDTH.findall(s)) / 2, sum(1 for c in s if c in COMPRESSIBLE)


def body_lines(target) -> list[tuple[float, float, str]]:
    """The 3号 (16 pt) lines of a PDF: (left, right, text). pdftotext -bbox-layout boxes a line 1.3 × its size high."""
    read = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(target), "-"],
                          capture_output=True, timeout=60, check=True)
    root = etree.fromstring(read.stdout, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    out = []
    for line in root.iter(XHTML + "line"):
        if abs(float(line.get("yMax")) - float(line.get("yMin")) - 16 * 1.3) < 0.8:
            text = "".join(w.text or "" for w in line.iter(XHTML + "word"))
            out.append((float(line.get("xMin")), float(line.get("xMax")), text))
    return out


def too_wide(lines) -> list[str]:
    """3号 lines with more than 28 characters (after what punctuation compression gains) or beyond the text block
    (one mark may hang in the right margin: LibreOffice's hanging punctuation)."""
    wide = []
    for left, right, text in lines:
        width, marks = line_width(text)
        if right > TEXT_RIGHT + 1 and text[-1:] in COMPRESSIBLE:  # a hanging mark
            width, marks = width - 1, marks - 1
        if width - marks / 2 > 28 or right > TEXT_RIGHT + 17 or left < TEXT_LEFT - 1:
            wide.append(text)
    return wide


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout")
    make_store(root / "data")
    store = open_store(root / "data")
    out = root / "docx"
    out.mkdir()
    try:
        rules = ruleset.load(store)
        case_id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        walk(store, case_id, ROUTE, rules)
        ids = case_template_ids(store)
        for template_id in ids:
            target = out / f"{template_id}.docx"
            try:
                documents.render(store, case_id, template_id, today=TODAY, out=target, rules=rules)
            except InputError as exc:  # not due on this case's route: the 样稿 shows the same layout
                assert exc.code == "document_not_due", (template_id, exc.message)
                target.write_bytes(documents.preview(store, case_id, template_id, today=TODAY, rules=rules)[0])
    finally:
        store.close()
    files = [out / f"{i}.docx" for i in ids]
    pdfs = pdf.convert(files, root / "pdf", timeout=300)
    result = {}
    for template_id, source, target in zip(ids, files, pdfs, strict=True):
        with zipfile.ZipFile(source) as z:
            document = etree.fromstring(z.read("word/document.xml"))
            styles = etree.fromstring(z.read("word/styles.xml"))
        read = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(target), "-"],
                              capture_output=True, text=True, timeout=60, check=True)
        listed = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, timeout=60, check=True)
        faces = {line.split()[0].split("+", 1)[-1] for line in listed.stdout.splitlines()[2:] if line.strip()}
        result[template_id] = {"document": document, "styles": styles, "text": read.stdout, "faces": faces,
                               "pages": pdf.page_count(target), "lines": body_lines(target)}
    return result


def test_every_template_is_converted(made):
    assert len(made) >= 45
    assert all(m["pages"] >= 1 for m in made.values())


def fonts_used(document, styles) -> set[str]:
    """The standard font names the text of a document is set in (paragraph styles and run properties)."""
    by_id = {s.get(W + "styleId"): s for s in styles.iter(W + "style")}
    used = set()
    for p in document.iter(W + "p"):
        if not "".join(t.text or "" for t in p.iter(W + "t")).strip():
            continue
        sid = p.find(f"{W}pPr/{W}pStyle")
        style = by_id.get(sid.get(W + "val") if sid is not None else "Normal")
        rfonts = style.find(f"{W}rPr/{W}rFonts") if style is not None else None
        if rfonts is not None:
            used.add(rfonts.get(W + "eastAsia"))
        used |= {r.get(W + "eastAsia") for r in p.iter(W + "rFonts")}
    return used & STANDARD_FONTS


def test_title_body_and_headings_are_set_in_distinct_faces(made):
    """fonts.conf maps each standard name to a free face of its kind when the PC lacks it: a document set in
    three of them shows three faces (not one fallback for all). Bold faces are the 样稿 mark of the header."""
    union = set()
    for template_id, m in made.items():
        faces = {f for f in m["faces"] if "Bold" not in f}
        union |= faces
        wanted = fonts_used(m["document"], m["styles"])
        assert len(faces) >= len(wanted), (template_id, sorted(wanted), sorted(faces))
        if {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= wanted:
            assert len(faces) >= 3, (template_id, sorted(faces))
    assert len(union) >= 4, sorted(union)  # 仿宋, 小标宋, 黑体, 楷体 kinds


def test_a_full_body_line_holds_28_characters(made):
    """28 characters of 3号 fill a line (never 27 as with linesAndChars, never more but what compressed punctuation
    gains), and every document with a paragraph of three lines or more has full lines."""
    widths = Counter()
    for template_id, m in made.items():
        assert too_wide(m["lines"]) == [], template_id
        left_edge = [(right, text) for left, right, text in m["lines"] if abs(left - TEXT_LEFT) < 2]  # no indent
        widths.update(w for w in (line_width(text)[0] for _, text in left_edge) if 27 <= w <= 29)
        body = [p for p in m["document"].iter(W + "p") if (s := p.find(f"{W}pPr/{W}pStyle")) is not None
                and s.get(W + "val") == "Body"]
        if max((len("".join(t.text or "" for t in p.iter(W + "t"))) for p in body), default=0) >= 84:
            # a paragraph of three lines or more: its second line runs to the right edge of the text block
            assert max((right for right, _ in left_edge), default=0) >= TEXT_RIGHT - 2, template_id
    assert widths.most_common(1)[0][0] == 28 and widths[28] >= 20, widths


def test_no_punctuation_mark_is_lost(made):
    """linesAndChars made LibreOffice drop a mark at a line end; with a line grid every mark is printed."""
    lost = {}
    for template_id, m in made.items():
        source = "".join(t.text or "" for t in m["document"].iter(W + "t"))
        missing = {mark: source.count(mark) - m["text"].count(mark) for mark in MARKS
                   if source.count(mark) > m["text"].count(mark)}
        if missing:
            lost[template_id] = missing
    assert lost == {}
