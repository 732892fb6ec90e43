"""GB/T 9704-2012 details of the shipped templates, read from their XML (tools/build_templates.py).

版记 rules, 版头 of 函/请示/通知, 署名 centred over the 成文日期, the text kept with the 落款, the
character grid, and document numbers that never wrap in a table cell. What LibreOffice makes of
them is checked in tests/integration/test_documents_layout.py.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from app.documents.manifest import parse_manifest
from app.documents.registry import shipped_dir

FOLDER = shipped_dir()
ENTRIES = parse_manifest((FOLDER / "manifest.toml").read_text("utf-8"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_W = 11906 - round(28 * 1440 / 25.4) - round(26 * 1440 / 25.4)  # 156 mm
CHAR = 320  # 3号, twips
NUMBER_TAG = re.compile(r"\{\{ (numbers\.\w+|[\w.]*(number|_no))\b[^{}]*\}\}")


def read(template_id: str) -> tuple[etree._Element, etree._Element, etree._Element]:
    with zipfile.ZipFile(io.BytesIO((FOLDER / ENTRIES[template_id].file).read_bytes())) as z:
        return tuple(etree.fromstring(z.read(f"word/{n}.xml")) for n in ("document", "styles", "settings"))


def a(el, name: str) -> str | None:
    return None if el is None else el.get(W + name)


def style_of(p) -> str:
    return a(p.find(f"{W}pPr/{W}pStyle"), "val") or ""


def text(el) -> str:
    return "".join(t.text or "" for t in el.iter(W + "t"))


def styles(styles_root) -> dict:
    return {a(s, "styleId"): s for s in styles_root.iter(W + "style")}


def body_elements(doc):
    return [el for el in doc.find(W + "body") if el.tag != W + "sectPr"]


ALL = sorted(i for i in ENTRIES)


@pytest.mark.parametrize("template_id", ALL)
def test_a_line_grid_and_condensed_characters_give_28_to_a_line_in_every_word_processor(template_id):
    doc, sty, settings = read(template_id)
    grid = doc.find(f"{W}body/{W}sectPr/{W}docGrid")
    assert a(grid, "type") == "lines" and a(grid, "linePitch") == "579"  # not linesAndChars: LibreOffice
    defaults = sty.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert a(defaults.find(W + "spacing"), "val") == "-5"  # 15.75 pt a character: 28 of them in 156 mm (Word, WPS)
    assert 28 * (320 - 5) <= TEXT_W < 29 * (320 - 5)
    assert a(settings.find(W + "characterSpacingControl"), "val") == "compressPunctuation"
    ppr = sty.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
    assert a(ppr.find(W + "snapToGrid"), "val") == "0"
    assert a(ppr.find(W + "overflowPunct"), "val") == "1"  # a mark after the 28th character hangs, never vanishes


def note_tables(doc):
    return [t for t in doc.iter(W + "tbl") if t.find(f"{W}tblPr/{W}tblpPr") is not None]


def is_letter(doc) -> bool:
    return any(style_of(p) == "LetterHead" for p in doc.iter(W + "p"))


def test_the_note_has_full_width_rules_and_sits_at_the_foot_of_the_last_page():
    seen = 0
    for template_id in ALL:
        doc, _, _ = read(template_id)
        tables = note_tables(doc)
        if not tables:
            assert "抄送：" not in text(doc), template_id
            continue
        seen += 1
        assert len(tables) == 1, template_id
        note = tables[0]
        elements = body_elements(doc)
        assert elements.index(note) == len(elements) - 2, "the 版记 ends the document, anchored to one empty paragraph"
        assert text(elements[-1]) == ""
        pos = note.find(f"{W}tblPr/{W}tblpPr")
        assert (a(pos, "vertAnchor"), a(pos, "tblpYSpec"), a(pos, "horzAnchor")) == ("margin", "bottom", "page")
        assert int(a(pos, "tblpX")) == round(28 * 1440 / 25.4)  # the left edge of the text block
        assert a(note.find(f"{W}tblPr/{W}tblW"), "w") == str(TEXT_W)  # 156 mm
        rows = note.findall(W + "tr")
        borders = {b.tag.removeprefix(W): (a(b, "val"), a(b, "sz")) for b in note.find(f"{W}tblPr/{W}tblBorders")}
        assert text(rows[0]).startswith("抄送：")
        if is_letter(doc):  # 信函格式: the 抄送 line alone, no rules, no 印发 line (GB/T 9704 10.1)
            assert len(rows) == 1 and all(v == "nil" for v, _ in borders.values()), template_id
            continue
        assert len(rows) == 2, template_id
        assert re.fullmatch(r"\{\{ office\.commission \}\}办公室\{\{ (issued_on|today) \}\}印发", text(rows[1])), text(rows[1])
        assert rows[1].find(f".//{W}tab") is not None  # organ left, date right
        # first and last rule 0.35 mm (8 eighths of a point = 1 pt), the one between 0.25 mm (0.75 pt)
        assert borders["top"] == ("single", "8") and borders["bottom"] == ("single", "8"), template_id
        assert borders["insideH"] == ("single", "6"), template_id
        assert all(borders[side][0] == "nil" for side in ("left", "right", "insideV"))
    assert seen >= 5


HEADED = {"forward_letter": "letter", "referral_letter": "letter", "inquiry_letter": "letter",
          "talk_feedback_letter": "letter", "county_review_request": "letter", "county_consult_request": "letter",
          "judicial_transfer_letter": "letter", "approval_request": "request", "execution_notice": "notice"}


@pytest.mark.parametrize("template_id", sorted(HEADED))
def test_letters_requests_and_notices_have_a_red_masthead(template_id):
    doc, sty, _ = read(template_id)
    by_id = styles(sty)
    paragraphs = list(doc.iter(W + "p"))
    first = paragraphs[0]
    kind = HEADED[template_id]
    assert style_of(first) == ("LetterHead" if kind == "letter" else "Masthead")
    # the 乡镇报批 请示 goes up in the 乡镇党委's name ([P] 第十七条第一款、第三十八条第一款)
    organ = "{{ office.party_committee or office.name }}" if template_id == "approval_request" else "{{ office.commission }}"
    assert text(first) == organ
    head_style = by_id[style_of(first)]
    assert a(head_style.find(f"{W}rPr/{W}color"), "val") == "FF0000"
    assert a(head_style.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "方正小标宋简体"
    assert a(head_style.find(f"{W}pPr/{W}jc"), "val") == "center"
    numbered = [p for p in paragraphs if "{{ number }}" in text(p)]
    assert len(numbered) == 1
    number = numbered[0]
    titles = [p for p in paragraphs if style_of(p) == "Title"]
    assert titles and paragraphs.index(number) < paragraphs.index(titles[0]), "版头 first, then the title"
    if kind == "letter":  # the red double line (thick over thin) under the organ, 170 mm long
        rule = head_style.find(f"{W}pPr/{W}pBdr/{W}bottom")
        assert (a(rule, "val"), a(rule, "color")) == ("thickThinSmallGap", "FF0000")
        ind = head_style.find(f"{W}pPr/{W}ind")
        assert int(a(ind, "left")) == int(a(ind, "right")) == -round(7 * 1440 / 25.4)
        assert style_of(number) == "LetterNumber" and a(by_id["LetterNumber"].find(f"{W}pPr/{W}jc"), "val") == "right"
        return
    rule = by_id["HeadNumber"].find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert (a(rule, "val"), a(rule, "color")) == ("single", "FF0000")
    assert style_of(number) == "HeadNumber"
    assert by_id["HeadNumber"].find(f"{W}pPr/{W}ind") is not None
    assert a(by_id["HeadNumber"].find(f"{W}pPr/{W}ind"), "left") in (None, "0")  # the red rule runs full width
    if kind == "request":  # 上行文: number one character in on the left, 签发人 on the right (7.2.4)
        assert text(number).startswith("　{{ number }}") and "签发人：" in text(number)
        tab = by_id["HeadNumber"].find(f"{W}pPr/{W}tabs/{W}tab")
        assert (a(tab, "val"), int(a(tab, "pos"))) == ("right", TEXT_W - CHAR)
        names = [r for r in number.iter(W + "r") if "＿" in text(r)]
        assert names and a(names[0].find(f"{W}rPr/{W}rFonts"), "eastAsia") == "楷体_GB2312"
        assert "（联系人：＿＿＿；联系电话：＿＿＿）" in [text(p) for p in paragraphs]  # 附注 (7.3.6)


def test_mastheads_only_on_letters_requests_and_notices():
    headed = {i for i in ALL if style_of(next(read(i)[0].iter(W + "p"))) in ("Masthead", "LetterHead")}
    assert headed == set(HEADED)


def signature_blocks(doc):
    elements = body_elements(doc)
    for i, el in enumerate(elements):
        if el.tag == W + "p" and style_of(el) == "SignOrgan":
            yield elements, i


def test_the_organ_is_centred_over_the_date_four_characters_in_from_the_right():
    date_width = (3 * 15.75 + 7 * 7.75) * 20  # 2026年6月30日 in 16 pt condensed by 0.25 pt
    blocks = 0
    for template_id in ALL:
        doc, sty, _ = read(template_id)
        by_id = styles(sty)
        for elements, i in signature_blocks(doc):
            blocks += 1
            organ, date = elements[i], elements[i + 1]
            assert organ.find(f".//{W}tab") is not None and style_of(date) == "Signature", template_id
            tab = by_id["SignOrgan"].find(f"{W}pPr/{W}tabs/{W}tab")
            assert a(tab, "val") == "center"
            ind = by_id["Signature"].find(f"{W}pPr/{W}ind")
            assert a(ind, "right") == str(4 * CHAR) and a(by_id["Signature"].find(f"{W}pPr/{W}jc"), "val") == "right"
            # the centre of the date, four characters in from the right: the organ is centred on it
            assert abs(int(a(tab, "pos")) - (TEXT_W - 4 * CHAR - date_width / 2)) <= 20
    assert blocks >= 25


def keeps_with_next(el) -> bool:
    return el.find(f"{W}pPr/{W}keepNext") is not None


def test_the_signature_never_stands_alone_on_a_page():
    """The 落款 and the blank lines before it keep with the next paragraph, and so does the last paragraph of
    the text before them (through a {%p if/for %} block: every paragraph back to the one before it)."""
    checked = 0
    for template_id in ALL:
        doc, sty, _ = read(template_id)
        for elements, i in signature_blocks(doc):
            j = i - 1
            while text(elements[j]) == "" and style_of(elements[j]) == "Plain":
                assert keeps_with_next(elements[j]), template_id
                j -= 1
            if elements[j].tag != W + "p":
                continue  # a table before the signature: rows do not split (cantSplit)
            assert keeps_with_next(elements[j]), (template_id, text(elements[j]))
            while "{%p " in text(elements[j]):
                j -= 1
                assert keeps_with_next(elements[j]), (template_id, text(elements[j]))
            checked += 1
    assert checked >= 25


def test_number_cells_are_not_split_across_lines():
    cells = 0
    for template_id in ALL:
        doc, sty, _ = read(template_id)
        by_id = styles(sty)
        for tc in doc.iter(W + "tc"):
            paragraphs = tc.findall(W + "p")
            if len(paragraphs) != 1 or not NUMBER_TAG.fullmatch(text(paragraphs[0])):
                continue
            cells += 1
            assert tc.find(f"{W}tcPr/{W}noWrap") is not None, template_id
            sid = style_of(paragraphs[0])
            assert sid in ("TableNumber", "CatalogNumber"), (template_id, sid)
            size = int(a(by_id[sid].find(f"{W}rPr/{W}sz"), "val")) / 2
            width = int(a(tc.find(f"{W}tcPr/{W}tcW"), "w"))
            # "青石纪线〔2026〕123号": 10.5 characters, and the cell margins
            assert width >= 10.5 * size * 20 + 2 * 85, (template_id, width, size)
    assert cells >= 8


SCHEMA_ORDER = {  # ECMA-376 sequences Word insists on (LibreOffice does not care); trPr is a choice, any order
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
            "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
            "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
            "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
    "pBdr": ["top", "left", "bottom", "right", "between", "bar"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
              "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "tblBorders": ["top", "left", "bottom", "right", "insideH", "insideV"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
             "tcFitText", "vAlign", "hideMark"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
            "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
            "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
            "lang", "eastAsianLayout", "specVanish", "oMath"],
}


@pytest.mark.parametrize("template_id", ALL)
def test_properties_are_in_schema_order(template_id):
    doc, sty, _ = read(template_id)
    for root in (doc, sty):
        for tag, order in SCHEMA_ORDER.items():
            for props in root.iter(W + tag):
                names = [child.tag.removeprefix(W) for child in props]
                assert len(set(names)) == len(names), (template_id, tag, names)
                assert names == sorted(names, key=order.index), (template_id, tag, names)
