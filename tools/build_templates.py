"""Build the standard case-document templates (app/docs_templates/*.docx + manifest.toml) from code.

Run: python tools/build_templates.py            (writes app/docs_templates/)
     python tools/build_templates.py --check    (exit 1 when the committed files differ from a fresh build)

Every .docx is written from scratch as WordprocessingML — not from python-docx's default
document, whose theme maps East Asian text to Japanese fonts — so a reviewer reads the layout
here and the content of each document in SPECS below. Layout per GB/T 9704-2012
(shared/domain/procedures.md §6): A4; margins 37/26/35/28 mm; 3号仿宋 body, 22 lines of 28
characters (a line grid, w:docGrid type "lines" linePitch 579, and characters condensed 0.25 pt;
punctuation may hang at a line end); title 2号小标宋; headings 黑体 / 楷体 / 仿宋; page numbers
"— 1 —" in 4号宋体, odd pages right and even pages left; a red 版头 on 函 / 请示 / 通知 (decision_head);
署名 centred over the 成文日期 (sign); 版记 with full-width rules at the foot of the last page
(copy_to); the last text paragraph kept with the 落款 (laid_out). Every run property names its East
Asian font (w:eastAsia) and the language is zh-CN. Font names are the four standard names that
rendering replaces with the office's settings (app/documents/render.py); LibreOffice maps them to
free faces of the same kinds through resources/fontconfig/fonts.conf (app/documents/pdf.py).

The bytes are reproducible: fixed zip timestamps and member order, no creation dates. The
manifest's `variables` list is what lint finds each template using, so it cannot drift.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "app" / "docs_templates"
VERSION = "2026.1"

# ---------------------------------------------------------------- page geometry (twips)

MM = 1440 / 25.4
PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = (round(x * MM) for x in (37, 26, 35, 28))
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
LINE_PITCH = 579  # 225 mm / 22 lines = 28.95 pt
CHAR_SPACE = -849  # (156 mm / 28 chars − 16 pt) × 4096
CHAR_CONDENSE = -5  # twentieths of a point: 16 pt − 0.25 pt = 15.75 pt per character, 28 to a line
FOOTER_DIST = round(22 * MM)  # page number about 7 mm below the text block
CHAR = 320  # one 3号 character (16 pt) in twips
NOTE_CHAR = 280  # one 4号 character (14 pt), the 版记's
# the centre of a 成文日期 like "2026年6月30日" (three characters of 15.75 pt and seven digits of 7.75 pt) set four
# characters in from the right: the 署名 is centred on it (GB/T 9704 7.3.5.1)
SIGN_CENTRE = TEXT_W - 4 * CHAR - round((3 * 15.75 + 7 * 7.75) * 20 / 2)
RED = "FF0000"
RULE_THICK, RULE_THIN = 8, 6  # eighths of a point: 1 pt ≈ 0.35 mm (版记's first and last rules), 0.75 pt ≈ 0.25 mm
MASTHEAD_SPACE = round(35 * MM)  # 发文机关标志: its top edge 35 mm below the top of the text block (7.2.3)
LETTER_RULE_OUT = round(7 * MM)  # 信函格式: the red double line is 170 mm long, 7 mm beyond the text block each side
HEADER_DIST = round(15 * MM)

BODY, TITLE, HEADING, KAI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
ALT_NAMES = {BODY: "仿宋", TITLE: "宋体", HEADING: "SimHei", KAI: "楷体", PAGE_NUMBER_FONT: "SimSun"}

BLANK = "＿＿＿＿＿＿"
BLANK_DATE = "　　　　年　　月　　日"
SIGN_DATE = "　　年　　月　　日"  # after a signature line, where the row is short
NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def rpr(font: str, size_pt: float, bold: bool = False, color: str = "") -> str:
    half = int(size_pt * 2)
    shade = f'<w:color w:val="{color}"/>' if color else ""
    return f"<w:rPr>{fonts(font)}{'<w:b/><w:bCs/>' if bold else ''}{shade}<w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/></w:rPr>"


def border(side: str, size: int, *, space: int = 0, color: str = "000000", kind: str = "single") -> str:
    return f'<w:{side} w:val="{kind}" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


# ---------------------------------------------------------------- styles, settings, parts


def style(sid: str, name: str, *, font: str, size: float, bold: bool = False, align: str = "", first_line: bool = False,
          right_chars: int = 0, grid: bool = True, line: str = f'w:line="{LINE_PITCH}" w:lineRule="exact"',
          outline: int | None = None, keep_next: bool = False, based: str = "Normal", borders: str = "", tabs: str = "",
          ind: str = "", before: int = 0, color: str = "") -> str:
    """A paragraph style; the pPr children in the order of the schema (CT_PPrBase), which Word insists on."""
    ppr = ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if borders:
        ppr += f"<w:pBdr>{borders}</w:pBdr>"
    if tabs:
        ppr += f"<w:tabs>{tabs}</w:tabs>"
    if not grid:
        ppr += '<w:snapToGrid w:val="0"/>'
    ppr += f"<w:spacing w:before=\"{before}\" w:after=\"0\" {line}/>"
    if ind:
        ppr += ind
    elif first_line:
        ppr += '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
    elif right_chars:
        ppr += f'<w:ind w:rightChars="{right_chars}" w:right="{right_chars * 16 // 5}"/>'
    else:
        ppr += '<w:ind w:firstLineChars="0" w:firstLine="0"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    if outline is not None:
        ppr += f'<w:outlineLvl w:val="{outline}"/>'
    base = f'<w:basedOn w:val="{based}"/>' if sid != "Normal" else ""
    default = ' w:default="1"' if sid == "Normal" else ""
    return (f'<w:style w:type="paragraph"{default} w:styleId="{sid}"><w:name w:val="{name}"/>{base}<w:qFormat/>'
            f"<w:pPr>{ppr}</w:pPr>{rpr(font, size, bold, color)}</w:style>")


def styles_xml() -> str:
    lang = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    # Characters 0.25 pt condensed and paragraphs off the character grid: 28 characters of 16 pt fit a 156 mm line
    # in Word, WPS and LibreOffice alike (LibreOffice puts a 16 pt character into two 15.79 pt grid cells).
    # Punctuation may hang at a line end (overflowPunct on, Word's default for Chinese): with it off, LibreOffice
    # drops a mark that falls after the 28th character of a line instead of moving it.
    defaults = (f"<w:docDefaults><w:rPrDefault><w:rPr>{fonts(BODY)}<w:spacing w:val=\"{CHAR_CONDENSE}\"/>"
                f"<w:kern w:val=\"2\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>{lang}</w:rPr></w:rPrDefault>"
                "<w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/>"
                "<w:overflowPunct w:val=\"1\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:snapToGrid w:val=\"0\"/>"
                f"<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE_PITCH}\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/>"
                "</w:pPr></w:pPrDefault></w:docDefaults>")
    table_line = 'w:line="360" w:lineRule="exact"'
    paragraph_styles = [
        style("Normal", "Normal", font=BODY, size=16, align="both"),
        style("Body", "正文缩进", font=BODY, size=16, first_line=True),
        style("Plain", "正文顶格", font=BODY, size=16),
        style("Title", "Title", font=TITLE, size=22, align="center", grid=False, keep_next=True),
        style("DocNumber", "发文字号", font=BODY, size=16, align="center"),
        style("Heading1", "heading 1", font=HEADING, size=16, first_line=True, outline=0, keep_next=True),
        style("Heading2", "heading 2", font=KAI, size=16, first_line=True, outline=1, keep_next=True),
        style("Heading3", "heading 3", font=BODY, size=16, first_line=True, outline=2, keep_next=True),
        style("Salutation", "主送", font=BODY, size=16),
        style("Signature", "落款", font=BODY, size=16, align="right", right_chars=400),
        # 署名 centred over the 成文日期 (a centre tab on the date's middle)
        style("SignOrgan", "署名", font=BODY, size=16, align="left", keep_next=True,
              tabs=f'<w:tab w:val="center" w:pos="{SIGN_CENTRE}"/>'),
        # 版头 (GB/T 9704 7.2): the issuing organ in red 小标宋, the 发文字号, a red rule under it
        style("Masthead", "发文机关标志", font=TITLE, size=26, align="center", grid=False, keep_next=True, color=RED,
              line='w:line="240" w:lineRule="auto"', before=MASTHEAD_SPACE),
        style("HeadNumber", "版头发文字号", font=BODY, size=16, align="center", keep_next=True,
              borders=border("bottom", RULE_THICK, space=11, color=RED),
              tabs=f'<w:tab w:val="right" w:pos="{TEXT_W - CHAR}"/>'),
        # 信函格式 (10.1): the organ over a red double line 170 mm long (thick over thin), the number flush right
        style("LetterHead", "信函发文机关标志", font=TITLE, size=26, align="center", grid=False, keep_next=True, color=RED,
              line='w:line="240" w:lineRule="auto"',
              borders=border("bottom", 18, space=11, color=RED, kind="thickThinSmallGap"),
              ind=f'<w:ind w:left="-{LETTER_RULE_OUT}" w:right="-{LETTER_RULE_OUT}" w:firstLine="0"/>'),
        style("LetterNumber", "信函发文字号", font=BODY, size=16, align="right", keep_next=True),
        style("TableLabel", "表格标签", font=HEADING, size=14, align="center", grid=False, line=table_line),
        style("TableText", "表格文字", font=BODY, size=14, align="both", grid=False, line=table_line),
        style("TableRight", "表格落款", font=BODY, size=14, align="right", grid=False, line=table_line),
        style("TableNumber", "表格编号", font=BODY, size=12, align="left", grid=False, line=table_line),
        style("CatalogLabel", "目录表头", font=HEADING, size=10.5, align="center", grid=False, line='w:line="280" w:lineRule="exact"'),
        style("CatalogText", "目录文字", font=BODY, size=10.5, align="left", grid=False, line='w:line="280" w:lineRule="exact"'),
        style("CatalogNumber", "目录编号", font=BODY, size=9, align="left", grid=False, line='w:line="280" w:lineRule="exact"'),
        # 版记 (7.4, note_table): 4号, one character in from each side, a wrapped 抄送 line under the first name
        style("Note", "版记", font=BODY, size=14, grid=False, line='w:line="440" w:lineRule="exact"',
              ind=f'<w:ind w:left="{4 * NOTE_CHAR}" w:right="{NOTE_CHAR}" w:hanging="{3 * NOTE_CHAR}"/>'),
        style("NotePrint", "印发机关和日期", font=BODY, size=14, align="left", grid=False,
              line='w:line="440" w:lineRule="exact"', tabs=f'<w:tab w:val="right" w:pos="{TEXT_W - NOTE_CHAR}"/>',
              ind=f'<w:ind w:left="{NOTE_CHAR}" w:right="{NOTE_CHAR}" w:firstLine="0"/>'),
        style("Footer", "footer", font=PAGE_NUMBER_FONT, size=14, grid=False, line='w:line="240" w:lineRule="auto"'),
    ]
    table_style = ('<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
                   '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
                   '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
                   "</w:tblCellMar></w:tblPr></w:style>")
    return f"{XML_HEAD}<w:styles {NS}>{defaults}{''.join(paragraph_styles)}{table_style}</w:styles>"


def settings_xml() -> str:
    return (f"{XML_HEAD}<w:settings {NS}><w:zoom w:percent=\"100\"/><w:evenAndOddHeaders/>"
            "<w:defaultTabStop w:val=\"420\"/><w:drawingGridVerticalSpacing w:val=\"579\"/>"
            "<w:displayHorizontalDrawingGridEvery w:val=\"0\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/>"
            "<w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/>"
            "<w:ulTrailSpace/><w:doNotExpandShiftReturn/><w:adjustLineHeightInTable/><w:useFELayout/>"
            '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
            '</w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/><w:decimalSymbol w:val="."/>'
            '<w:listSeparator w:val=","/></w:settings>')


def font_table_xml() -> str:
    entries = "".join(f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                      '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>' for name, alt in ALT_NAMES.items())
    return f"{XML_HEAD}<w:fonts {NS}>{entries}</w:fonts>"


def footer_xml(odd: bool) -> str:
    """'— 1 —': odd pages one character in from the right, even pages one character in from the left."""
    ind = '<w:ind w:rightChars="100" w:right="280"/>' if odd else '<w:ind w:leftChars="100" w:left="280"/>'
    run = f"<w:rPr>{fonts(PAGE_NUMBER_FONT)}<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>"
    field_runs = (f'<w:r>{run}<w:t xml:space="preserve">— </w:t></w:r>'
                  f'<w:r>{run}<w:fldChar w:fldCharType="begin"/></w:r>'
                  f'<w:r>{run}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                  f'<w:r>{run}<w:fldChar w:fldCharType="separate"/></w:r>'
                  f'<w:r>{run}<w:t>1</w:t></w:r>'
                  f'<w:r>{run}<w:fldChar w:fldCharType="end"/></w:r>'
                  f'<w:r>{run}<w:t xml:space="preserve"> —</w:t></w:r>')
    para = f'<w:p><w:pPr><w:pStyle w:val="Footer"/>{ind}<w:jc w:val="{"right" if odd else "left"}"/></w:pPr>{field_runs}</w:p>'
    return f"{XML_HEAD}<w:ftr {NS}>{para}</w:ftr>"


def sect_pr() -> str:
    return ('<w:sectPr><w:footerReference w:type="default" r:id="rId11"/><w:footerReference w:type="even" r:id="rId12"/>'
            f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
            f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" '
            f'w:header="{HEADER_DIST}" w:footer="{FOOTER_DIST}" w:gutter="0"/><w:pgNumType w:start="1"/>'
            f'<w:cols w:space="425"/><w:docGrid w:type="lines" w:linePitch="{LINE_PITCH}" w:charSpace="{CHAR_SPACE}"/>'
            "</w:sectPr>")


CONTENT_TYPES = (f"{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                 '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
                 '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
                 '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
                 '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
                 '<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
                 '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                 '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
                 "</Types>")
PACKAGE_RELS = (f"{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
                "</Relationships>")
DOCUMENT_RELS = (f"{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>'
                 '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>'
                 '<Relationship Id="rId11" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>'
                 '<Relationship Id="rId12" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>'
                 "</Relationships>")


def core_xml(title: str) -> str:
    return (f"{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>纪案通</dc:creator><dc:language>zh-CN</dc:language>"
            "</cp:coreProperties>")


APP_XML = (f"{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
           "<Application>纪案通</Application></Properties>")

# ---------------------------------------------------------------- body building blocks


def runs_xml(text: str, font: str = "") -> str:
    """The runs of a text: a tab character is a w:tab; `font` names a face other than the style's."""
    props = f"<w:rPr>{fonts(font)}</w:rPr>" if font else ""
    out = []
    for i, piece in enumerate(text.split("\t")):
        if i:
            out.append(f"<w:r>{props}<w:tab/></w:r>")
        if piece:
            out.append(f'<w:r>{props}<w:t xml:space="preserve">{escape(piece)}</w:t></w:r>')
    return "".join(out)


def para(text: str = "", style_id: str = "Body", *, align: str = "", page_break_before: bool = False,
         keep_next: bool = False, runs: list[tuple[str, str]] | None = None) -> str:
    """One paragraph; pPr children in schema order. `runs` (text, font) replace `text` when a line mixes faces."""
    ppr = f'<w:pStyle w:val="{style_id}"/>'
    if keep_next:
        ppr += "<w:keepNext/>"
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    content = "".join(runs_xml(t, f) for t, f in runs) if runs else runs_xml(text)
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>"


def title(text: str, *, new_page: bool = False) -> list[str]:
    """The title's lines; `new_page`: it starts a page (a break before it, not a page-break paragraph,
    which LibreOffice can leave as a blank page or carry the text before it onto)."""
    return [para(line, "Title", page_break_before=new_page and i == 0) for i, line in enumerate(text.split("\n"))]


def number_line() -> list[str]:
    """发文字号, centred, one line below the title (Jinja: the allocated number)."""
    return [para("{{ number }}", "DocNumber")]


def body(*texts: str) -> list[str]:
    return [para(t, "Body") for t in texts]


def plain(*texts: str) -> list[str]:
    return [para(t, "Plain") for t in texts]


def h1(text: str) -> list[str]:
    return [para(text, "Heading1")]


def h2(text: str) -> list[str]:
    return [para(text, "Heading2")]


def salute(text: str) -> list[str]:
    return [para(text, "Salutation")]


def blank(n: int = 1, *, keep_next: bool = False) -> list[str]:
    return [para("", "Plain", keep_next=keep_next) for _ in range(n)]


CONTACT_NOTE = "（联系人：＿＿＿；联系电话：＿＿＿）"  # 附注 of a 请示 (GB/T 9704 7.3.6)


def sign(organ: str = "{{ office.commission }}", when: str = "{{ issued_on }}", note: str = "") -> list[str]:
    """落款 (GB/T 9704 7.3.5.1): the 成文日期 four characters in from the right and the organ's 署名 centred over it;
    a person's signature line ("承办人：…") is set right like the date. `note` is an 附注 under the date, two
    characters in. Everything from the last paragraph of the text on stays on one page (laid_out() adds
    keepNext to that paragraph)."""
    if "：" in organ:
        signature = para(organ, "Signature", keep_next=True)
    else:
        signature = para("\t" + organ, "SignOrgan")
    date_line = para(when, "Signature", keep_next=bool(note))
    return blank(2, keep_next=True) + [signature, date_line] + (body(note) if note else [])


class NoteBlock(str):
    """The 版记 of a document (its 抄送 text); laid_out() writes it: the issued form, or a 信函格式 one."""

    def __new__(cls, text: str, printed: str):
        made = super().__new__(cls, text)
        made.printed = printed
        return made


def note_table(text: str, printed: str = "", *, ruled: bool = True) -> list[str]:
    """版记 (GB/T 9704 7.4): 抄送 and 印发 lines between rules as wide as the text block — the first and the last
    0.35 mm, the one between 0.25 mm — at the foot of the last page: a table floating at the bottom of the text
    block (anchored to the empty paragraph after it; positioned from the page edge, which LibreOffice needs to
    float a table as wide as the text). A 信函格式 document has the 抄送 line alone, without rules (10.1)."""
    rules = {"top": RULE_THICK, "bottom": RULE_THICK, "insideH": RULE_THIN} if ruled else {}
    borders = "".join(border(side, rules[side]) if side in rules else f'<w:{side} w:val="nil"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))  # CT_TblBorders order
    rows = [(text, "Note")] + ([(printed, "NotePrint")] if printed else [])
    cells = "".join(f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{TEXT_W}" w:type="dxa"/></w:tcPr>'
                    f"{para(line, sid)}</w:tc></w:tr>" for line, sid in rows)
    return [f'<w:tbl><w:tblPr><w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" '
            f'w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{MARGIN_LEFT}" w:tblpYSpec="bottom"/>'
            f'<w:tblOverlap w:val="never"/><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
            f'</w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid><w:gridCol w:w="{TEXT_W}"/></w:tblGrid>{cells}</w:tbl>',
            para("", "Plain")]


def copy_to(text: str, printed: str = "{{ office.commission }}办公室\t{{ issued_on }}印发") -> list[str]:
    """版记 with 抄送 `text` and the 印发机关和印发日期 line `printed` (see note_table)."""
    return [NoteBlock(text, printed)]


def control(tag: str) -> list[str]:
    """A docxtpl paragraph-level tag: {%p if … %}, {%p for … %}, {%p endif %} …"""
    return [para("{%p " + tag + " %}", "Plain")]


def loop(var: str, over: str, paragraphs: list[str]) -> list[str]:
    return control(f"for {var} in {over}") + paragraphs + control("endfor")


def when(condition: str, paragraphs: list[str]) -> list[str]:
    return control(f"if {condition}") + paragraphs + control("endif")


def qa(pairs: int) -> list[str]:
    """Question and answer lines left open for the handwritten record."""
    out = []
    for _ in range(pairs):
        out += plain("问：", "", "答：", "", "")
    return out


@dataclass
class Cell:
    lines: list  # str, or (str, style id)
    span: int = 1
    label: bool = False
    valign: str = "center"


def L(text: str, span: int = 1) -> Cell:  # noqa: N802 - reads as a table label in the specs
    return Cell([text], span, label=True)


def V(*lines, span: int = 1, valign: str = "center") -> Cell:  # noqa: N802 - a table value
    return Cell(list(lines) or [""], span, valign=valign)


@dataclass
class Row:
    cells: list[Cell]
    height_mm: float = 11
    control: str = ""  # a docxtpl row tag instead of cells: "for d in documents" / "endfor"


def tr(tag: str) -> Row:
    return Row([], control=tag)


# A cell holding only a document number (发文字号, 线索/案件编号, 来文编号) is set a size smaller, not wrapped, in a
# column wide enough for "青石纪线〔2026〕123号" (10.5 characters): a number split over two lines reads as two.
NUMBER_CELL = re.compile(r"\{\{ (numbers\.\w+|[\w.]*(number|_no))\b[^{}]*\}\}")
NUMBER_STYLE = {"TableText": ("TableNumber", 12), "CatalogText": ("CatalogNumber", 9)}
NUMBER_CHARS = 10.5
CELL_MARGINS = 2 * 85


def _number_style(cell: Cell) -> tuple[str, float] | None:
    if cell.label or len(cell.lines) != 1:
        return None
    text, sid = cell.lines[0] if isinstance(cell.lines[0], tuple) else (cell.lines[0], "TableText")
    return NUMBER_STYLE.get(sid) if NUMBER_CELL.fullmatch(text) else None


def _widen_number_columns(rows: list[Row], grid: list[int]) -> list[int]:
    need = [0] * len(grid)
    for row in rows:
        col = 0
        for cell in row.cells:
            found = _number_style(cell)
            if found and cell.span == 1:
                need[col] = max(need[col], round(NUMBER_CHARS * found[1] * 20) + CELL_MARGINS)
            col += cell.span
    grid = list(grid)
    for col, want in enumerate(need):
        if want > grid[col]:
            donor = max((c for c in range(len(grid)) if not need[c]), key=lambda c: grid[c])
            grid[donor] -= want - grid[col]
            grid[col] = want
    return grid


def table(rows: list[Row], widths_mm: list[float], *, header_rows: int = 0) -> list[str]:
    scale = TEXT_W / sum(widths_mm)
    grid = [round(w * scale) for w in widths_mm]
    grid[-1] += TEXT_W - sum(grid)
    grid = _widen_number_columns(rows, grid)
    border = '<w:{0} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(b) for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>{borders}'
           '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>'
           + "".join(f'<w:gridCol w:w="{w}"/>' for w in grid) + "</w:tblGrid>"]
    for index, row in enumerate(rows):
        if row.control:
            span = len(grid)
            out.append(f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{TEXT_W}" w:type="dxa"/><w:gridSpan w:val="{span}"/></w:tcPr>'
                       f'{para("{%tr " + row.control + " %}", "TableText")}</w:tc></w:tr>')
            continue
        assert sum(c.span for c in row.cells) == len(grid), (row, len(grid))
        header = "<w:tblHeader/>" if index < header_rows else ""
        out.append(f'<w:tr><w:trPr><w:cantSplit/>{header}<w:trHeight w:val="{round(row.height_mm * MM)}" w:hRule="atLeast"/>'
                   "</w:trPr>")
        col = 0
        for cell in row.cells:
            width = sum(grid[col:col + cell.span])
            col += cell.span
            span = f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else ""
            paragraphs = []
            number = _number_style(cell)
            for line in cell.lines:
                text, sid = line if isinstance(line, tuple) else (line, "TableLabel" if cell.label else "TableText")
                paragraphs += [para(part, number[0] if number else sid) for part in text.split("\n")]
            no_wrap = "<w:noWrap/>" if number else ""
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{no_wrap}<w:vAlign w:val="{cell.valign}"/>'
                       "</w:tcPr>" + "".join(paragraphs) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return out


def signed(text: str) -> tuple[str, str]:
    return (text, "TableRight")


def opinion(text: str, who: str, when: str = BLANK_DATE) -> Cell:
    """An opinion cell: the text, then the signature and date on the right."""
    return V(text, "", signed(f"{who}　　{when}"), span=3, valign="top")


# ---------------------------------------------------------------- common passages


def v(path: str, fill: str = BLANK) -> str:
    """A value in running text; when the case does not have it yet, a fill-in line (or another value: "{{ x }}")."""
    if fill.startswith("{{") and fill.endswith("}}"):
        return "{{ " + path + " or " + fill[2:-2].strip() + " }}"
    return "{{ " + path + ' or "' + fill + '" }}'


def d(path: str) -> str:
    return v(path, BLANK_DATE)


IDENTITY = "{{ person.identity }}"  # 基本情况: 姓名，性别，民族，出生年月，籍贯，学历，入党时间，参加工作时间，现任职务。
PARTY_COMMITTEE = "{{ office.party_committee or office.name }}"  # the 乡镇党委 as issuing organ and 署名
WHO = "{{ person.name }}{{ person.address }}"  # 林敏同志 — 同志 only for a member who keeps the membership


def facts(with_evidence: bool = False) -> list[str]:
    """The person's established facts, one paragraph each ((一)(二)… when there are several); a
    fill-in line while the case holds none."""
    tail = "{{ (\"（\" ~ f.evidence ~ \"）\") if f.evidence else \"\" }}" if with_evidence else ""
    return (when("facts", loop("f", "facts", body("{{ f.label }}{{ f.text }}" + tail)))
            + when("not facts", body(BLANK)))


QUALIFY = (WHO + "的上述行为{{ (\"违反了\" ~ violation ~ \"，\") if violation else \"\" }}构成违纪"
           "{{ (\"，应当依据\" ~ articles_text ~ \"的规定予以处理\") if articles_text else \"\" }}。")
# who decided: the 支部大会 where it voted, the commission, and the body that approved (乡镇党委 or the county)
APPROVAL = ("经{{ \"党支部党员大会讨论、\" if decided.branch_meeting.decided_on else \"\" }}{{ office.commission }}研究"
            "{{ (\"，报\" ~ office.party_committee ~ \"批准\") if fields.township_approval.approver_body == \"乡镇党委\" "
            "else ((\"，经\" ~ office.party_committee ~ \"审议同意，报\" ~ office.parent_name ~ \"批准\") if fields.county_request.reply "
            "else \"\") }}，")
PERSON_ROWS = [
    Row([L("姓名"), V("{{ person.name }}"), L("性别"), V("{{ person.gender }}")]),
    Row([L("出生年月"), V("{{ person.birth }}"), L("政治面貌"), V("{{ person.political_status }}")]),
    Row([L("单位及职务"), V("{{ person.unit_post }}", span=3)]),
]
FORM_WIDTHS = [30, 48, 30, 48]


def form_number(path: str = "case.display_number") -> list[str]:
    return [para("编号：{{ " + path + " }}", "Plain", align="right")]


def subjects_note() -> list[str]:
    return when("persons|length > 1", body("本线索同时反映：{{ case.persons_text }}。"))


# ---------------------------------------------------------------- the templates


@dataclass
class Spec:
    id: str
    title: str
    stage: str
    order: int
    group: str
    content: list[str]
    number: str = ""
    counter: str = ""
    required: tuple[str, ...] = ("person.name",)
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.content = laid_out(self.content)
    author: str = ""  # 责任者 in the 卷内目录 (app/documents/manifest.py AUTHORS); "" → AUTHOR_OF, else the 纪委


GROUPS = {  # archive order (procedures.md §3): 依据 → 初核报告 → 立案报告 → 方案 → 证据 → 调查报告 → 事实见面材料 →
    "卷内目录": 0,  # 往来文书 → 决定/纪要 → 批复 → 执行报告 → 结案意见
    "依据": 100, "初核报告": 200, "立案报告": 300, "方案": 400, "证据": 500, "调查报告": 600, "事实见面材料": 700,
    "往来文书": 800, "决定/纪要": 900, "执行报告": 1100, "结案意见": 1200,
}


def spec(id: str, title: str, stage: str, group: str, position: int, content: list[str], **kw) -> Spec:  # noqa: A002
    return Spec(id, title, stage, GROUPS[group] + position, group, content, **kw)


def _style_of(element: str) -> str:
    if not element.startswith("<w:p>"):
        return "table"
    start = element.find('<w:pStyle w:val="')
    return element[start + 17:element.find('"', start + 17)] if start >= 0 else ""


def _keep_with_next(element: str) -> str:
    if "<w:keepNext/>" in element:
        return element
    end = element.index("/>", element.index("<w:pStyle")) + 2
    return element[:end] + "<w:keepNext/>" + element[end:]


def laid_out(content: list[str]) -> list[str]:
    """Page-level layout the building blocks cannot do alone.

    - No page holds only the 落款: the text paragraph before each signature block keeps with it (and, when that
      paragraph ends a {%p if/for %} block, every paragraph back to and including the one before the block).
    - The 版记 (copy_to) is written here: 信函格式 (GB/T 9704 10.1) has no 印发 line and no rules.
    """
    letter = any(_style_of(e) == "LetterHead" for e in content)
    out = []
    for element in content:
        if isinstance(element, NoteBlock):
            out += note_table(str(element), "" if letter else element.printed, ruled=not letter)
        else:
            out.append(element)
    for i, element in enumerate(out):
        if _style_of(element) not in ("SignOrgan", "Signature") or _style_of(out[i - 1]) in ("SignOrgan", "Signature"):
            continue
        j = i - 1
        while j >= 0 and _style_of(out[j]) == "Plain" and "<w:t " not in out[j]:  # the blank lines of sign()
            j -= 1
        depth = 0
        while j >= 0 and _style_of(out[j]) != "table":
            text = out[j]
            out[j] = _keep_with_next(text)
            if "{%p end" in text:
                depth += 1
            elif "{%p if" in text or "{%p for" in text:
                depth -= 1
            elif depth <= 0 and "<w:t " in text and "{%p " not in text:
                break
            j -= 1
    return out


# 责任者 of the documents the township 纪委 does not issue itself (every other template: "commission")
AUTHOR_OF = {"gov_sanction_decision": "supervision", "branch_resolution": "branch", "branch_minutes": "branch"}


def decision_head(doc_title: str, organ: str = "{{ office.commission }}") -> list[str]:
    """Title and 发文字号; a 函, 请示 or 通知 starts with the red 版头 (GB/T 9704 7.2, 信函格式 10.1): the issuing
    organ, the number (a 请示, 上行文, with its 签发人 on the right, 7.2.4) and the red rule, then the title."""
    kind = doc_title.rstrip()
    if kind.endswith("函"):
        return ([para(organ, "LetterHead"), para("{{ number }}", "LetterNumber")] + blank(1, keep_next=True)
                + title(doc_title) + blank(1))
    if kind.endswith("请示"):
        number = para(runs=[("　{{ number }}\t签发人：", ""), (BLANK, KAI)], style_id="HeadNumber", align="left")
    elif kind.endswith("通知"):
        number = para("{{ number }}", "HeadNumber")
    else:
        return title(doc_title) + blank(1) + number_line() + blank(1)
    return [para(organ, "Masthead")] + blank(2, keep_next=True) + [number] + blank(2, keep_next=True) \
        + title(doc_title) + blank(1)


SANCTION_BASIS = ("{{ (\"鉴于\" ~ adjustments_text ~ \"。\") if adjustments_text else \"\" }}"
                  "依据{{ basis_text if articles_text else \"《中国共产党纪律处分条例》" + BLANK + "\" }}的规定，")


def specs() -> list[Spec]:
    s: list[Spec] = []
    # ── 线索受理 ──
    s.append(spec("clue_register_form", "线索受理登记表", "intake", "依据", 10,
        title("线索受理登记表") + blank(1) + form_number("case.clue_number") + table([
            Row([L("线索编号"), V("{{ case.clue_number }}"), L("受理时间"), V("{{ case.received_on }}")]),
            Row([L("线索来源"), V("{{ case.source }}"), L("来文编号"), V("{{ case.incoming_no }}")]),
            tr("for p in persons"),
            Row([L("被反映人"), V("{{ p.name }}"), L("性别"), V("{{ p.gender }}")]),
            Row([L("单位"), V("{{ p.unit }}"), L("职务"), V("{{ p.post }}")]),
            Row([L("职级"), V("{{ p.rank }}"), L("政治面貌"), V("{{ p.political_status }}")]),
            tr("endfor"),
            Row([L("举报方式"), V("{{ case.real_name }}（举报人信息另行保管，不在本表登记）"), L("问题性质"), V("{{ case.categories }}")]),
            Row([L("主要问题"), V("{{ case.summary }}", span=3, valign="top")], 45),
            Row([L("领导批示"), V("{{ case.leader_instruction }}", span=3, valign="top")], 25),
            Row([L("办理情况"), V("{{ decided.intake_register.decision_title }}", span=3, valign="top")], 20),
            Row([L("填表人"), V(""), L("填表日期"), V("{{ case.received_on }}")]),
        ], FORM_WIDTHS),
        required=("case.clue_number", "case.received_on", "case.source", "case.summary", "persons[].name")))
    s.append(spec("forward_letter", "问题线索转送函", "referral", "往来文书", 10,
        # no person and no content: [J] 第十五条第二款 不得复制、摘抄检举控告内容，不得扩大知情范围
        decision_head("关于报送检举控告材料的函") + salute(v("fields.forward_upward.forward_to", "{{ office.parent_name }}") + "：") + body(
            "我委于{{ case.received_on }}收到检举控告材料一件（登记编号：{{ case.clue_number }}，来源：{{ case.source }}），"
            "经审核属于你委受理范围。根据《纪检监察机关处理检举控告工作规则》第十五条规定，现将原件报送你委，请依规处理。",
            "我委未复制、摘抄该检举控告内容，未留存复印件。",
            "附件：检举控告材料原件（密封）") + sign(),
        number="{office_abbr}纪转〔{year}〕{seq}号", required=("number", "case.received_on", "case.clue_number")))
    s.append(spec("not_accepted_notice", "不予受理告知书", "referral", "往来文书", 20,
        title("不予受理告知书") + blank(1) + salute(BLANK + "：") + body(
            "你于{{ case.received_on }}反映的{{ person.unit_post }}{{ person.name }}有关问题，经审查，"
            + v("fields.not_accepted.reason") + "。根据《纪检监察机关处理检举控告工作规则》第十三条规定，本机关不予受理。")
        + when("fields.not_accepted.referred_to", body("请你向{{ fields.not_accepted.referred_to }}反映。"))
        + body("特此告知。") + sign(),
        required=("person.name", "fields.not_accepted.reason")))
    s.append(spec("referral_letter", "问题线索移送函", "referral", "往来文书", 30,
        decision_head("关于移送{{ person.name }}{{ person.address }}有关问题线索的函")
        + salute(v("fields.refer_org.referred_to") + "：") + body(
            "我委在办理反映{{ person.unit_post }}{{ person.name }}{{ person.address }}有关问题的线索（线索编号：{{ case.clue_number }}）中，"
            "经初步核实，{{ fields.prelim_verify.finding or \"有关问题需要由所在党组织处理\" }}。",
            "根据《中国共产党纪律检查机关监督执纪工作规则》第三十五条规定，现将该问题线索及初步核实材料移送你单位，"
            "请依规依纪处理，并于处理完毕后将结果书面告知我委。",
            "附件：初步核实情况报告及相关材料") + sign(),
        number="{office_abbr}纪移〔{year}〕{seq}号", counter="transfer", required=("number", "person.name")))
    # ── 线索处置 ──
    s.append(spec("disposition_approval_form", "问题线索处置呈批表", "disposition", "依据", 20,
        title("问题线索处置呈批表") + blank(1) + form_number("case.clue_number") + table([
            Row([L("线索编号"), V("{{ case.clue_number }}"), L("受理时间"), V("{{ case.received_on }}")]),
            *PERSON_ROWS,
            Row([L("线索来源"), V("{{ case.source }}"), L("承办人"), V("{{ fields.disposition.handler }}")]),
            Row([L("反映的\n主要问题"), V("{{ case.summary }}", span=3, valign="top")], 35),
            Row([L("承办人\n意见"), opinion("{{ fields.disposition.analysis }}\n拟处置方式：{{ decided.disposition.decision_title }}",
                                           "承办人：{{ fields.disposition.handler }}")], 40),
            Row([L("集体研究\n意见"), opinion("{{ study.disposition.conclusion }}\n参加人员：{{ study.disposition.attendees }}",
                                            "研究日期：", "{{ study.disposition.held_on }}")], 30),
            Row([L("书记审批\n意见"), opinion("{{ decided.disposition.decision_title }}", "签批人：" + BLANK,
                                            "{{ decided.disposition.decided_on }}")], 30),
        ], FORM_WIDTHS) + subjects_note(),
        required=("person.name", "case.summary", "fields.disposition.analysis")))
    # ── 谈话函询 ──
    s.append(spec("talk_inquiry_approval_form", "谈话函询呈批表", "talk", "依据", 30,
        title("谈话函询呈批表") + blank(1) + form_number() + table([
            Row([L("姓名"), V("{{ person.name }}"), L("性别"), V("{{ person.gender }}")]),
            Row([L("年龄"), V("{{ person.age }}"), L("政治面貌"), V("{{ person.political_status }}")]),
            Row([L("单位及职务"), V("{{ person.unit_post }}", span=3)]),
            Row([L("线索来源"), V("{{ case.source }}"), L("方式"), V("{{ fields.talk_inquiry.method }}")]),
            Row([L("反映的\n主要问题"), V("{{ case.summary }}", span=3, valign="top")], 40),
            Row([L("承办部门\n意见"), opinion("建议对{{ person.name }}{{ person.address }}进行{{ fields.talk_inquiry.method or \"谈话函询\" }}。"
                                             "\n谈话（函询）人员：{{ fields.talk_inquiry.talkers }}", "承办人：")], 35),
            Row([L("领导审批\n意见"), opinion("{{ decided.disposition.decision_title }}", "签批人：" + BLANK,
                                            "{{ decided.disposition.decided_on }}")], 30),
        ], FORM_WIDTHS),
        required=("person.name", "person.unit_post", "case.summary", "fields.talk_inquiry.method")))
    s.append(spec("talk_plan", "谈话方案", "talk", "依据", 40,
        title("关于与{{ person.name }}{{ person.address }}谈话的方案") + blank(1)
        + h1("一、谈话对象") + body(IDENTITY)
        + h1("二、谈话事由") + body("线索来源：{{ case.source }}。主要内容：{{ case.summary }}")
        + h1("三、谈话时间和地点") + body("时间：" + d("fields.talk_inquiry.talk_held_on") + "；地点：" + BLANK + "。")
        + h1("四、谈话人员") + body("主谈人、陪同人员和记录人员：" + v("fields.talk_inquiry.talkers") + "。")
        + h1("五、谈话内容") + body("围绕反映的问题逐项了解情况，听取说明，要求如实陈述，不得隐瞒、编造。拟问询的问题：", "1．" + BLANK, "2．" + BLANK, "3．" + BLANK)
        + h1("六、书面说明要求") + body("谈话结束后，要求谈话对象在15个工作日内作出书面说明，经其所在党委（党组）主要负责人签字后报送我委。")
        + h1("七、注意事项") + body("严格遵守保密纪律，不得泄露反映人信息和问题线索内容；确保谈话安全，谈话全程记录，谈话笔录经谈话对象核对签字。")
        + sign(),
        required=("person.name", "case.summary", "fields.talk_inquiry.talkers")))
    s.append(spec("inquiry_letter", "函询函", "talk", "依据", 50,
        decision_head("函询函") + salute("{{ person.name }}{{ person.address }}：") + body(
            "我委收到反映你有关问题的线索。主要内容为：{{ case.summary }}",
            "根据《中国共产党纪律检查机关监督执纪工作规则》第二十八条、第二十九条规定，请你对上述问题作出书面说明，"
            "并于收到本函之日起15个工作日内，将书面说明经你所在党组织主要负责人签署意见后报送我委。",
            "你应当对党忠诚老实，如实说明情况，不得隐瞒、歪曲事实。") + sign()
        + copy_to("抄送：{{ office.party_committee or \"被函询人所在党委（党组）\" }}。"),
        number="{office_abbr}纪函〔{year}〕{seq}号", counter="letter", required=("number", "person.name", "case.summary")))
    s.append(spec("talk_record", "谈话笔录", "talk", "依据", 60,
        title("谈话笔录") + blank(1) + plain(
            "时间：" + d("fields.talk_inquiry.talk_held_on") + "　　时　　分至　　时　　分",
            "地点：" + BLANK,
            "谈话人：" + v("fields.talk_inquiry.talkers") + "　　记录人：" + BLANK,
            "被谈话人：" + IDENTITY,
            "谈话人向被谈话人出示工作证件，告知谈话事由，告知其应当如实陈述、对党忠诚老实的义务。") + qa(4)
        + plain("以上笔录我已看过（向我宣读过），与我说的一致。", "", "被谈话人（签名）：" + BLANK + "　" + SIGN_DATE,
                "谈话人（签名）：" + BLANK, "记录人（签名）：" + BLANK),
        required=("person.identity",)))
    s.append(spec("talk_inquiry_report", "谈话函询情况报告", "talk", "依据", 70,
        title("关于{{ person.name }}{{ person.address }}谈话函询情况的报告") + blank(1) + salute("{{ office.name }}：")
        + h1("一、基本情况") + body(IDENTITY)
        + h1("二、反映的主要问题") + body("线索来源：{{ case.source }}。主要内容：{{ case.summary }}")
        + h1("三、谈话函询情况") + body(
            "经{{ decided.disposition.approver or \"纪委书记\" }}批准，对{{ person.name }}{{ person.address }}采取{{ fields.talk_inquiry.method or \"谈话函询\" }}方式了解情况。"
            "谈话日期：" + v("fields.talk_inquiry.talk_held_on") + "；函询函发出日期：" + v("fields.talk_inquiry.letter_sent_on")
            + "；收到回复日期：" + v("fields.talk_inquiry.reply_received_on") + "。")
        + h1("四、核实结论") + body(v("fields.talk_inquiry.finding"))
        + h1("五、处置意见") + body(v("decided.talk_inquiry.decision_title"))
        + sign("承办人：" + v("fields.talk_inquiry.talkers"), v("fields.talk_inquiry.report_on", "{{ issued_on }}")),
        required=("person.name", "fields.talk_inquiry.finding")))
    s.append(spec("talk_feedback_letter", "谈话函询反馈函", "talk", "依据", 80,
        decision_head("谈话函询结果反馈函") + salute("{{ person.name }}{{ person.address }}：") + body(
            "我委对反映你的有关问题进行了{{ fields.talk_inquiry.method or \"谈话函询\" }}。" + v("fields.talk_inquiry.finding") + "。",
            "经研究，决定：" + v("decided.talk_inquiry.decision_title") + "。",
            "希望你正确对待组织的监督，严格要求自己，自觉遵守党的纪律。") + sign()
        + copy_to("抄送：{{ office.party_committee or \"被函询人所在党委（党组）\" }}。"),
        number="{office_abbr}纪函〔{year}〕{seq}号", counter="letter", required=("number", "person.name")))
    s.append(spec("clarification_report", "澄清正名情况报告", "talk", "依据", 90,
        title("关于为{{ person.name }}{{ person.address }}澄清正名的情况报告") + blank(1) + salute("{{ office.party_committee or office.name }}：")
        + body("{{ case.received_on }}，我委收到反映{{ person.unit_post }}{{ person.name }}{{ person.address }}有关问题的线索，主要内容为：{{ case.summary }}",
               # after 诬告陷害 (its own step) or after 采信了结 / 查否了结 (step clarification, [J] 第五十条)
               "{{ \"经初步核实\" if decided.prelim_verify.decided_on else \"经谈话函询和了解核实\" }}，反映问题不实。"
               "{{ fields.clarification.clarified_on or fields.false_accusation.clarified_on or \"" + BLANK_DATE
               + "\" }}，我委{{ (\"以\" ~ fields.clarification.method ~ \"的方式\") if fields.clarification.method else \"在一定范围内\" }}"
               "为{{ person.name }}{{ person.address }}澄清正名，消除不良影响。")
        + when("fields.false_accusation.new_clue_ref", body(
               "对反映中可能存在的诬告陷害行为，已另行登记为问题线索依规处理（线索编号：{{ fields.false_accusation.new_clue_ref }}）。"))
        + body(
               "特此报告。") + sign(),
        required=("person.name",)))
    s.append(spec("form1_record", "第一种形态处理记录", "form1", "依据", 100,
        title("第一种形态处理记录") + blank(1) + form_number() + table([
            *PERSON_ROWS,
            Row([L("问题概述"), V("{{ case.summary }}", span=3, valign="top")], 35),
            Row([L("处理方式"), V("{{ sanctions_text }}", span=3)]),
            Row([L("实施日期"), V("{{ fields.form1_measure.measure_on }}"), L("实施人"), V("{{ fields.form1_measure.executed_by }}")]),
            Row([L("被处理人\n表态"), V("", "", signed("本人签名：" + BLANK + "　" + SIGN_DATE), span=3, valign="top")], 30),
            Row([L("备注"), V("{{ decided.prelim_verify.decision_title or decided.talk_inquiry.decision_title }}", span=3)]),
        ], FORM_WIDTHS),
        required=("person.name", "sanctions_text")))
    # ── 初步核实 ──
    s.append(spec("prelim_approval_form", "初步核实呈批表（工作方案）", "prelim", "依据", 110,
        title("初步核实呈批表") + blank(1) + form_number("case.clue_number") + table([
            *PERSON_ROWS,
            Row([L("线索来源"), V("{{ case.source }}"), L("下一级党委\n主要负责人"), V("{{ fields.prelim_verify.heads_lower_committee }}")]),
            Row([L("反映的\n主要问题"), V("{{ case.summary }}", span=3, valign="top")], 30),
            Row([L("核查组\n成员"), V("{{ fields.prelim_verify.checkers }}", span=3)]),
            Row([L("工作方案"), V("核查内容：" + BLANK, "核查方法和步骤：" + BLANK, "时间安排：" + BLANK, "安全和保密措施：" + BLANK,
                                 span=3, valign="top")], 40),
            Row([L("集体研究\n意见"), opinion("{{ study.disposition.conclusion }}", "研究日期：", "{{ study.disposition.held_on }}")], 25),
            Row([L("审批意见"), opinion("{{ decided.disposition.decision_title }}", "签批人：" + BLANK,
                                       "{{ decided.disposition.decided_on }}")], 25),
        ], FORM_WIDTHS),
        required=("person.name", "case.summary", "fields.prelim_verify.checkers")))
    s.append(spec("prelim_report", "初步核实情况报告", "prelim", "初核报告", 10,
        title("关于{{ person.name }}{{ person.address }}问题线索\n初步核实情况的报告") + blank(1) + salute("{{ office.name }}：")
        + h1("一、被核查人基本情况") + body(IDENTITY)
        + h1("二、反映的主要问题") + body("线索来源：{{ case.source }}。主要内容：{{ case.summary }}")
        + h1("三、初步核实的依据和过程") + body(
            "经集体研究，{{ decided.disposition.approver or \"纪委书记\" }}于{{ decided.disposition.decided_on or \"" + BLANK_DATE
            + "\" }}批准对该线索进行初步核实。核查组由" + v("fields.prelim_verify.checkers") + "组成。")
        + h1("四、初步核实结果") + body(v("fields.prelim_verify.finding") + "。")
        + h1("五、存在的疑点") + body(BLANK)
        + h1("六、处置建议") + body(v("decided.prelim_verify.decision_title"))
        + sign("核查组全体成员（签名）：" + BLANK, v("fields.prelim_verify.report_on", "{{ issued_on }}")),
        required=("person.name", "fields.prelim_verify.finding", "fields.prelim_verify.checkers")))
    s.append(spec("shelve_approval_form", "暂存待查呈批表", "shelved", "依据", 120,
        title("暂存待查呈批表") + blank(1) + form_number("case.clue_number") + table([
            *PERSON_ROWS,
            Row([L("反映的\n主要问题"), V("{{ case.summary }}", span=3, valign="top")], 30),
            Row([L("暂存理由"), V("{{ fields.shelved.reason }}", span=3, valign="top")], 25),
            Row([L("最近清理\n日期"), V("{{ fields.shelved.last_review_on }}"), L("新证据\n或情况"), V("{{ fields.shelved.new_evidence }}")]),
            Row([L("承办人\n意见"), opinion("建议暂存待查，定期清理。", "承办人：")], 25),
            Row([L("审批意见"), opinion("{{ decided.disposition.decision_title }}", "签批人：" + BLANK,
                                       "{{ decided.disposition.decided_on }}")], 25),
        ], FORM_WIDTHS),
        required=("person.name", "fields.shelved.reason")))
    # ── 立案 ──
    s.append(spec("filing_report", "立案审查调查呈批报告", "filing", "立案报告", 10,
        title("关于对{{ person.name }}{{ person.address }}\n立案{{ review_term }}的呈批报告") + blank(1) + salute("{{ office.party_committee or office.name }}：")
        + h1("一、基本情况") + body(IDENTITY)
        + h1("二、问题线索来源及初步核实情况") + body(
            "{{ case.received_on }}，我委受理反映{{ person.name }}{{ person.address }}有关问题的线索（线索来源：{{ case.source }}）。经初步核实，"
            + v("fields.prelim_verify.finding") + "。")
        + h1("三、涉嫌违纪的主要问题") + body(v("fields.filing.basis"))
        + h1("四、立案依据") + body("根据《中国共产党纪律检查机关监督执纪工作规则》第三十七条、第三十八条规定，{{ person.name }}{{ person.address }}涉嫌违犯党纪，"
                                   "需要追究党纪责任，应当立案{{ review_term }}。")
        + when("fields.filing.supervised_object == \"是\"", body("{{ person.name }}{{ person.address }}属于监察对象，根据《中华人民共和国监察法》第四十二条规定，建议同时立案调查。"))
        + h1("五、意见") + body("建议对{{ person.name }}{{ person.address }}立案{{ review_term }}。", "妥否，请批示。") + sign()
        + blank(1) + table([
            Row([L("纪委书记\n意见"), opinion("", "签名：")], 25),
            Row([L("党委书记\n意见"), opinion("{{ decided.filing.decision_title }}", "签名：" + BLANK,
                                            "{{ decided.filing.decided_on }}")], 25),
        ], FORM_WIDTHS),
        required=("person.name", "fields.filing.basis")))
    s.append(spec("filing_decision", "立案决定书（监察对象：立案通知书）", "filing", "立案报告", 20,
        title("立案决定书") + blank(1) + number_line() + blank(1) + body(
            IDENTITY,
            "经初步核实，" + WHO + "涉嫌违犯党纪，主要问题是：" + v("fields.filing.basis"),
            "根据《中国共产党纪律检查机关监督执纪工作规则》第三十七条、第三十八条规定，经{{ office.party_committee or \"同级党委\" }}批准，"
            "{{ office.commission }}决定对{{ person.name }}{{ person.address }}立案{{ review_term }}。")
        + when("fields.filing.supervised_object == \"是\"", body(
            "根据《中华人民共和国监察法》第四十二条规定，决定对{{ person.name }}立案调查，并通知其所在单位（立案通知书）。"))
        + sign(when=v("case.filed_on", "{{ issued_on }}")) + copy_to("抄送：{{ office.party_committee }}，{{ person.unit }}。"),
        number="{case_number}", required=("number", "person.name", "fields.filing.basis")))
    # ── 审查调查 ──
    s.append(spec("investigation_plan", "审查调查方案", "filing", "方案", 10,
        title("{{ person.name }}{{ person.address }}违纪问题审查调查方案") + blank(1)
        + h1("一、审查调查对象基本情况") + body(IDENTITY)
        + h1("二、立案依据和主要问题") + body("经{{ decided.filing.approver or \"党委书记\" }}批准，{{ case.filed_on or \"" + BLANK_DATE
                                          + "\" }}对" + WHO + "立案{{ review_term }}（{{ case.number }}）。涉嫌违纪的主要问题是：" + v("fields.filing.basis"))
        + h1("三、审查调查组") + body("审查调查组由" + v("fields.investigation.investigators") + "组成。")
        + h1("四、审查调查内容和步骤") + body("1．调取相关书证、物证：" + BLANK, "2．询问有关证人：" + BLANK,
                                              "3．与被审查调查人谈话：" + BLANK, "4．形成违纪事实材料，与被审查调查人见面：" + BLANK)
        + h1("五、时间安排") + body(BLANK)
        + h1("六、安全和保密") + body("严格执行安全工作责任制和保密规定，调查取证由两名以上工作人员进行，重要证据当场签字确认。")
        + sign(),
        required=("person.name", "fields.filing.basis", "fields.investigation.investigators")))
    s.append(spec("inquiry_record", "谈话（询问）笔录", "filing", "证据", 10,
        title("谈话（询问）笔录") + blank(1) + plain(
            "时间：" + BLANK_DATE + "　　时　　分至　　时　　分",
            "地点：" + BLANK,
            "谈话（询问）人：" + v("fields.investigation.investigators") + "　　记录人：" + BLANK,
            "被谈话（询问）人：" + BLANK + "，身份：" + BLANK,
            "案由：{{ person.name }}{{ person.address }}涉嫌违纪问题（{{ case.number or case.clue_number }}）。",
            "谈话（询问）人出示工作证件，告知被谈话（询问）人应当如实提供情况，故意提供虚假情况应承担的责任。") + qa(5)
        + plain("以上笔录我已看过（向我宣读过），与我说的一致。", "",
                "被谈话（询问）人（签名）：" + BLANK + "　" + SIGN_DATE,
                "谈话（询问）人（签名）：" + BLANK, "记录人（签名）：" + BLANK),
        required=("person.name", "fields.investigation.investigators")))
    s.append(spec("fact_material", "违纪事实材料", "filing", "事实见面材料", 10,
        title("关于" + WHO + "\n违纪事实的材料") + blank(1) + body(
            IDENTITY, "经查，" + WHO + "存在以下违纪事实：")
        + h1("一、违纪事实") + facts(with_evidence=True) + body("{{ evidence_text }}")
        + h1("二、被审查调查人对事实材料的意见") + body("{{ statement or fields.investigation.subject_opinion or \"" + BLANK + "\" }}")
        + plain("", "被审查调查人（签名）：" + BLANK + "　" + SIGN_DATE,
                "见面日期：" + d("fields.investigation.facts_shown_on"),
                "审查调查组成员（签名）：" + v("fields.investigation.investigators")),
        required=("person.name", "facts[].text")))
    s.append(spec("investigation_report", "审查调查报告", "filing", "调查报告", 10,
        title("关于{{ person.name }}{{ person.address }}违纪问题的\n审查调查报告") + blank(1) + salute("{{ office.name }}：")
        + h1("一、被审查调查人基本情况") + body(IDENTITY)
        + h1("二、问题线索来源及立案依据") + body(
            "{{ case.received_on }}，我委受理问题线索（线索来源：{{ case.source }}）。经初步核实，{{ case.filed_on or \"" + BLANK_DATE
            + "\" }}经{{ decided.filing.approver or \"党委书记\" }}批准立案{{ review_term }}（{{ case.number }}）。")
        + h1("三、审查调查过程") + body(
            "审查调查组由" + v("fields.investigation.investigators") + "组成。" + d("fields.investigation.announced_on")
            + "向{{ person.name }}{{ person.address }}宣布立案决定；" + d("fields.investigation.facts_shown_on") + "与其见面违纪事实材料。")
        + h1("四、违纪事实") + facts(with_evidence=True) + body("{{ evidence_text }}")
        + h1("五、被审查调查人的态度和认识") + body("对违纪事实材料，本人的意见是：{{ statement or fields.investigation.subject_opinion or \""
                                                   + BLANK + "\" }}。")
        + h1("六、定性和处理建议") + body(QUALIFY, "{{ (\"建议给予\" ~ person.name ~ person.address ~ sanctions_text ~ \"。\") "
                                           "if sanctions_text else (fields.investigation.proposal or \"" + BLANK + "\") }}")
        + sign("审查调查组成员（签名）：" + BLANK, v("fields.investigation.report_on", "{{ issued_on }}")),
        required=("person.name", "facts[].text", "articles_text", "fields.investigation.investigators")))
    s.append(spec("transfer_review_form", "移送审理登记表", "filing", "往来文书", 40,
        title("移送审理登记表") + blank(1) + form_number("case.number") + table([
            Row([L("案件编号"), V("{{ case.number }}"), L("立案时间"), V("{{ case.filed_on }}")]),
            *PERSON_ROWS,
            Row([L("审查调查组"), V("{{ fields.investigation.investigators }}", span=3)]),
            Row([L("移送时间"), V("{{ decided.investigation.decided_on }}"), L("报告日期"), V("{{ fields.investigation.report_on }}")]),
            Row([L("移送材料"), V("1．审查调查报告", "2．违纪事实材料（含本人意见）", "3．忏悔反思材料", "4．涉案财物报告",
                                 "5．证据材料（共　　卷　　页）", span=3, valign="top")], 40),
            Row([L("审理部门\n接收意见"), opinion("{{ decided.review_accept.decision_title }}　{{ fields.review_accept.return_reason }}",
                                              "接收人：", "{{ decided.review_accept.decided_on }}")], 25),
        ], FORM_WIDTHS),
        required=("person.name", "case.number")))
    # ── 审理 ──
    s.append(spec("review_talk_record", "审理谈话笔录", "review", "往来文书", 50,
        title("审理谈话笔录") + blank(1) + plain(
            "时间：" + d("fields.review.review_talk_on") + "　　时　　分至　　时　　分",
            "地点：" + BLANK,
            "审理人员：" + v("fields.review.reviewers") + "　　记录人：" + BLANK,
            "被审查调查人：" + IDENTITY,
            "审理人员出示工作证件，告知谈话目的：核对违纪事实，听取辩解意见，了解思想认识和有关问题。") + qa(4)
        + plain("以上笔录我已看过（向我宣读过），与我说的一致。", "", "被审查调查人（签名）：" + BLANK + "　" + SIGN_DATE,
                "审理人员（签名）：" + BLANK, "记录人（签名）：" + BLANK),
        required=("person.identity", "fields.review.reviewers")))
    s.append(spec("review_report", "审理报告", "review", "往来文书", 60,
        title("关于{{ person.name }}{{ person.address }}违纪案的\n审理报告") + blank(1) + salute("{{ office.name }}：")
        + h1("一、被审查调查人基本情况") + body(IDENTITY)
        + h1("二、审查调查情况") + body(
            "{{ case.filed_on or \"" + BLANK_DATE + "\" }}，经批准对{{ person.name }}{{ person.address }}立案{{ review_term }}（{{ case.number }}）。"
            "审查调查组于{{ decided.investigation.decided_on or \"" + BLANK_DATE + "\" }}移送审理。审理组由" + v("fields.review.reviewers")
            + "组成，于" + d("fields.review.review_talk_on") + "与被审查调查人进行了审理谈话。")
        + h1("三、违纪事实") + facts(with_evidence=True) + body("{{ evidence_text }}")
        + h1("四、涉案财物处置情况") + body(BLANK)
        + h1("五、审查调查部门意见") + body(v("fields.investigation.proposal"))
        + h1("六、审理意见") + body(QUALIFY, v("fields.review.opinion"))
        + when("adjustments_text", body("{{ adjustments_text }}。"))
        + when("sanctions_text", body("拟给予" + WHO + "{{ sanctions_text }}。"))
        + sign("审理组成员（签名）：" + BLANK),
        required=("person.name", "facts[].text", "articles_text", "fields.review.opinion")))
    s.append(spec("county_review_request", "乡案县审报审函", "review", "往来文书", 70,
        decision_head("关于报送{{ person.name }}{{ person.address }}违纪案\n审理意见的函") + salute("{{ office.parent_name }}：") + body(
            "我委对{{ person.unit_post }}{{ person.name }}{{ person.address }}涉嫌违纪问题立案{{ review_term }}（{{ case.number }}）。经审理，"
            "{{ fields.review.opinion or \"违纪事实清楚，证据确实充分\" }}，拟给予{{ person.name }}{{ person.address }}{{ sanctions_text or \"" + BLANK + "\" }}。",
            "根据乡案县审有关规定，现将审理报告及相关材料报送你委审核，请予审核。",
            "附件：1．审理报告", "　　　2．审查调查报告", "　　　3．违纪事实材料（含本人意见）", "　　　4．证据材料") + sign(),
        number="{office_abbr}纪报〔{year}〕{seq}号", counter="report_up", required=("number", "person.name")))
    s.append(spec("county_consult_request", "乡镇报批沟通函", "review", "往来文书", 80,
        decision_head("关于{{ person.name }}{{ person.address }}违纪案\n处理意见的沟通函") + salute("{{ office.parent_name }}：") + body(
            "我委对{{ person.unit_post }}{{ person.name }}{{ person.address }}涉嫌违纪问题立案{{ review_term }}（{{ case.number }}）。经审理，"
            "{{ fields.review.opinion or \"违纪事实清楚，证据确实充分\" }}。因"
            "{{ \"案情重要复杂\" if fields.review.important_or_complex == \"是\" else \"拟给予的处分超出乡镇批准权限\" }}，"
            "按照乡镇报批程序，现就拟给予{{ person.name }}{{ person.address }}{{ sanctions_text or \"" + BLANK + "\" }}的处理意见与你委提前沟通，请提出意见。",
            "附件：审理报告及相关材料") + sign(),
        number="{office_abbr}纪报〔{year}〕{seq}号", counter="report_up", required=("number", "person.name")))
    # ── 决定执行 ──
    s.append(spec("branch_resolution", "支部党员大会决议", "decision", "决定/纪要", 10,
        title("关于给予{{ person.name }}{{ person.address }}\n{{ sanctions_text or \"纪律处分\" }}的决议") + blank(1) + body(
            d("fields.branch_meeting.meeting_on") + "，" + BLANK + "党支部召开党员大会，讨论{{ person.name }}{{ person.address }}的处分问题。",
            "支部有表决权的党员" + v("fields.branch_meeting.eligible", "　　") + "名，实到" + v("fields.branch_meeting.present", "　　")
            + "名。经讨论，以无记名投票方式表决，赞成" + v("fields.branch_meeting.in_favour", "　　")
            + "名，超过应到会有表决权党员的半数。",
            "会议认为，{{ person.name }}{{ person.address }}违纪事实清楚，证据确实充分。根据《中国共产党纪律处分条例》和《中国共产党处分违纪党员批准权限和程序规定》"
            "有关规定，会议决定：给予{{ person.name }}{{ person.address }}{{ sanctions_text or \"" + BLANK + "\" }}，报上级党组织审批。")
        + plain("", "受处分党员对决议的意见：{{ fields.branch_meeting.subject_opinion }}",
                "本人（签名）：" + BLANK + "　" + SIGN_DATE)
        + sign("党支部书记（签名）：" + BLANK, d("fields.branch_meeting.meeting_on")),
        required=("person.name", "sanctions_text", "fields.branch_meeting.eligible", "fields.branch_meeting.in_favour")))
    s.append(spec("branch_minutes", "支部党员大会会议记录", "decision", "决定/纪要", 20,
        title("支部党员大会会议记录") + blank(1) + table([
            Row([L("时间"), V("{{ fields.branch_meeting.meeting_on }}"), L("地点"), V("")]),
            Row([L("主持人"), V(""), L("记录人"), V("")]),
            Row([L("应到\n（有表决权）"), V("{{ fields.branch_meeting.eligible }}"), L("实到"), V("{{ fields.branch_meeting.present }}")]),
            Row([L("列席人员"), V("", span=3)]),
            Row([L("议题"), V("讨论{{ person.name }}{{ person.address }}（{{ person.unit_post }}）的处分问题", span=3)]),
            Row([L("讨论情况"), V("受处分党员陈述和申辩：", "", "党员发言：", "", span=3, valign="top")], 60),
            Row([L("表决结果"), V("赞成{{ fields.branch_meeting.in_favour }}名，反对　　名，弃权　　名。", span=3)]),
            Row([L("未经支部\n大会的情形"), V("{{ fields.branch_meeting.skip_reason }}", span=3)]),
            Row([L("受处分党员\n意见"), V("{{ fields.branch_meeting.subject_opinion }}", "", signed("签名：" + BLANK), span=3, valign="top")], 25),
        ], FORM_WIDTHS),
        required=("person.name", "fields.branch_meeting.eligible", "fields.branch_meeting.present")))
    s.append(spec("commission_minutes", "纪委会议纪要", "decision", "决定/纪要", 30,
        title("{{ office.commission }}\n会议纪要") + blank(1) + body(
            d("fields.township_approval.commission_meeting_on") + "，{{ office.commission }}召开会议，审议{{ person.unit_post }}{{ person.name }}{{ person.address }}违纪案。",
            "会议听取了案件审理情况的汇报。会议认为，{{ person.name }}{{ person.address }}违纪事实清楚，证据确实充分，定性准确，处理恰当，程序合规。",
            "会议决定：同意给予{{ person.name }}{{ person.address }}{{ sanctions_text or \"" + BLANK + "\" }}。"
            "{{ \"按权限报乡镇党委审批（报送日期：\" ~ fields.township_approval.party_committee_submitted_on ~ \"）。\" if fields.township_approval.approver_body == \"乡镇党委\" else \"\" }}",
            "出席：" + BLANK, "列席：" + BLANK, "记录：" + BLANK) + sign(),
        required=("person.name", "sanctions_text")))
    # 乡镇报批: the 请示 is the 乡镇党委's, after its deliberation ([P] 第十七条第一款、第三十八条第一款)
    s.append(spec("approval_request", "关于给予某某处分的请示", "decision", "决定/纪要", 40,
        decision_head("关于给予{{ person.name }}{{ person.address }}\n{{ sanctions_text or \"纪律处分\" }}的请示", PARTY_COMMITTEE)
        + salute("{{ office.parent_name }}：") + body(
            "{{ person.unit_post }}" + WHO + "违纪一案，经{{ office.commission }}立案{{ review_term }}（{{ case.number }}）和审理，违纪事实清楚，证据确实充分。"
            "主要违纪事实如下：")
        + facts() + body(QUALIFY,
            "该案已经支部党员大会讨论（{{ fields.branch_meeting.meeting_on or \"" + BLANK_DATE + "\" }}，应到" + v("fields.branch_meeting.eligible", "　　")
            + "名，实到" + v("fields.branch_meeting.present", "　　") + "名，赞成" + v("fields.branch_meeting.in_favour", "　　")
            + "名），经{{ office.commission }}会议审议（" + d("fields.party_committee_deliberation.commission_meeting_on")
            + "），并经党委会议（" + d("fields.party_committee_deliberation.meeting_on")
            + "）审议同意，拟给予{{ person.name }}{{ person.address }}{{ sanctions_text or \"" + BLANK + "\" }}。",
            "妥否，请批示。",
            "附件：1．审理报告", "　　　2．支部党员大会决议和会议记录", "　　　3．纪委会议纪要", "　　　4．党委会议纪要")
        + sign(PARTY_COMMITTEE, note=CONTACT_NOTE),
        number="{office_abbr}委请〔{year}〕{seq}号", author="party_committee", required=("number", "person.name", "sanctions_text")))
    s.append(spec("sanction_decision", "党纪处分决定书", "decision", "决定/纪要", 50,
        decision_head("关于给予{{ person.name }}{{ person.address }}\n{{ party_sanction.full_name or \"党纪处分\" }}的决定") + body(
            IDENTITY,
            "经查，" + WHO + "存在以下违纪问题：")
        + facts() + body(
            WHO + "的上述行为{{ (\"违反了\" ~ violation ~ \"，\") if violation else \"\" }}构成违纪。",
            SANCTION_BASIS + APPROVAL + "决定给予" + WHO + "{{ party_sanction.full_name or \"" + BLANK + "\" }}。"
            "{{ party_sanction.effect_text ~ \"。\" if party_sanction.effect_text else \"\" }}",
            WHO + "如对本处分决定不服，可以向作出或者批准处分决定的党组织提出申诉。")
        + sign(when=v("party_sanction.decided_on", "{{ issued_on }}")) + copy_to("抄送：{{ office.party_committee }}，{{ office.parent_name }}。"),
        number="{office_abbr}纪处〔{year}〕{seq}号", counter="sanction",
        required=("number", "person.name", "party_sanction.full_name", "facts[].text", "articles_text")))
    s.append(spec("gov_sanction_decision", "政务处分决定书", "decision", "决定/纪要", 60,
        decision_head("政务处分决定书") + body(
            "被处分人：{{ person.name }}，{{ person.gender or \"性别" + BLANK + "\" }}，{{ person.birth or \"" + BLANK
            + "\" }}出生，工作单位及职务：{{ person.unit_post or \"" + BLANK + "\" }}。",
            "经查，{{ person.name }}存在以下违法事实：")
        + facts() + body(
            "{{ evidence_text }}",
            "根据《中华人民共和国监察法》第五十二条第一款第二项和{{ gov_basis_text if gov_articles_text else "
            "\"《中华人民共和国公职人员政务处分法》" + BLANK + "\" }}的规定，经{{ office.supervision }}研究，决定给予{{ person.name }}"
            "{{ gov_sanction.full_name or \"" + BLANK + "\" }}。"
            "{{ gov_sanction.effect_text ~ \"。\" if gov_sanction.effect_text else \"\" }}",
            "如不服本决定，可以自收到本决定之日起一个月内，向作出决定的监察机关申请复审；对复审决定仍不服的，"
            "可以自收到复审决定之日起一个月内，向上一级监察机关申请复核。复审、复核期间，不停止本决定的执行。")
        + sign("{{ office.supervision }}（印章）", v("gov_sanction.decided_on", "{{ issued_on }}")),
        number="{office_abbr}监处〔{year}〕{seq}号",
        required=("number", "person.name", "gov_sanction.full_name", "facts[].text", "gov_articles_text")))
    s.append(spec("execution_notice", "处分执行通知及处分内容告知书", "decision", "执行报告", 10,
        decision_head("关于执行{{ person.name }}{{ person.address }}\n处分决定的通知") + salute("{{ person.party_org or \"" + BLANK + "\" }}：") + body(
            "根据{{ numbers.sanction_decision or fields.announce.decision_no or \"" + BLANK + "\" }}决定，给予{{ person.unit_post }}{{ person.name }}{{ person.address }}{{ sanctions_text or \""
            + BLANK + "\" }}。",
            # its own paragraph: the one that keeps with the 落款 moves to the next page alone, not the whole notice
            "请你单位按照《中国共产党纪律处分条例》第四十四条规定，在一个月内向本人宣布并执行"
            "{{ \"，在一个月内办理职务、工资和其他有关待遇的变更手续\" if \"撤销党内职务\" in sanctions_text or \"留党察看\" in sanctions_text "
            "or \"开除党籍\" in sanctions_text else \"\" }}，并将执行情况书面报告我委。") + sign()
        + title("处分内容告知书", new_page=True) + blank(1) + salute("{{ person.name }}{{ person.address }}：") + body(
            "根据{{ numbers.sanction_decision or fields.announce.decision_no or \"" + BLANK + "\" }}决定，给予你{{ sanctions_text or \"" + BLANK + "\" }}。现将处分内容告知如下：")
        + loop("x", "sanctions", body("{{ x.full_name }}：{{ x.effect_text or \"无影响期\" }}。"))
        + body("在处分影响期内，依照党内法规和有关法律法规的规定，在提拔任用、晋升职级等方面受到相应限制。"
               "影响期满，如无新的违纪违法行为，不再受上述限制。",
               "如对处分决定不服，可以向作出或者批准处分决定的党组织提出申诉。")
        + sign() + plain("", "本人已收到本告知书。", "签名：" + BLANK + "　" + SIGN_DATE),
        number="{office_abbr}纪通〔{year}〕{seq}号", required=("number", "person.name", "sanctions_text", "sanctions[].effect_text")))
    s.append(spec("announcement_record", "宣布记录", "decision", "执行报告", 20,
        title("处分决定宣布记录") + blank(1) + table([
            Row([L("宣布时间"), V("{{ fields.announce.announced_on }}"), L("宣布地点"), V("")]),
            Row([L("宣布人"), V(""), L("记录人"), V("")]),
            Row([L("被宣布人"), V("{{ person.name }}"), L("单位及职务"), V("{{ person.unit_post }}")]),
            Row([L("参加人员"), V("", span=3)], 18),
            Row([L("宣布内容"), V("宣布{{ numbers.sanction_decision or fields.announce.decision_no }}决定：给予{{ person.name }}{{ person.address }}{{ sanctions_text }}。", span=3,
                                 valign="top")], 25),
            Row([L("受处分人\n意见"), V("{{ fields.announce.subject_opinion }}", "", signed("签名：" + BLANK + "　" + SIGN_DATE),
                                          span=3, valign="top")], 30),
        ], FORM_WIDTHS),
        required=("person.name", "sanctions_text")))
    s.append(spec("service_receipt", "送达回证", "decision", "执行报告", 30,
        title("送达回证") + blank(1) + table([
            Row([L("送达文书\n名称及文号"), V("处分决定书　{{ numbers.sanction_decision or fields.announce.decision_no }}", span=3)], 16),
            Row([L("受送达人"), V("{{ person.name }}"), L("单位及职务"), V("{{ person.unit_post }}")]),
            Row([L("送达地点"), V("", span=3)]),
            Row([L("送达方式"), V("直接送达"), L("送达日期"), V("{{ fields.announce.served_on }}")]),
            Row([L("受送达人\n签名"), V("", "", signed(BLANK_DATE), span=3, valign="top")], 25),
            Row([L("送达人\n签名"), V("", "", signed(BLANK_DATE), span=3, valign="top")], 25),
            Row([L("送达单位"), V("{{ office.commission }}", "", signed("（盖章）"), span=3, valign="top")], 25),
            Row([L("备注"), V("受送达人拒绝签收的，送达人应当注明拒收事由和日期，由见证人签名。", span=3)], 20),
        ], FORM_WIDTHS),
        required=("person.name",)))
    s.append(spec("execution_report", "处分决定执行情况报告单", "decision", "执行报告", 40,
        title("处分决定执行情况报告单") + blank(1) + form_number("case.number") + table([
            Row([L("受处分人"), V("{{ person.name }}"), L("单位及职务"), V("{{ person.unit_post }}")]),
            Row([L("处分种类"), V("{{ sanctions_text }}", span=3)]),
            Row([L("决定文号"), V("{{ numbers.sanction_decision or fields.announce.decision_no }}"), L("决定日期"), V("{{ sanction.decided_on }}")]),
            Row([L("宣布日期"), V("{{ fields.announce.announced_on }}"), L("送达日期"), V("{{ fields.announce.served_on }}")]),
            Row([L("职务、待遇\n调整情况"), V("调整完成日期：{{ fields.execution.post_pay_changed_on }}", "", span=3, valign="top")], 30),
            Row([L("执行情况"), V("", span=3, valign="top")], 35),
            Row([L("报告单位"), V("{{ office.commission }}", signed("（盖章）　{{ fields.execution.report_on or \"" + BLANK_DATE + "\" }}"),
                                 span=3, valign="top")], 25),
        ], FORM_WIDTHS),
        required=("person.name", "sanctions_text")))
    # ── 撤销、免予、移送、申诉 ──
    s.append(spec("revoke_decision", "撤销案件决定书", "revoke", "决定/纪要", 70,
        decision_head("撤销案件决定书") + body(
            "{{ case.filed_on or \"" + BLANK_DATE + "\" }}，我委对{{ person.unit_post }}{{ person.name }}{{ person.address }}立案{{ review_term }}（{{ case.number }}）。",
            "经审查调查，{{ fields.investigation.revoke_reason or fields.review.revoke_reason or \"" + BLANK + "\" }}。",
            "{{ \"根据《中华人民共和国监察法》第五十二条第二款和《中华人民共和国监察法实施条例》第二百零六条（2021年文本条号）规定，\" "
            "if person.supervision_object == \"是\" else \"\" }}经{{ office.commission }}研究，决定撤销该案件。")
        + sign() + copy_to("抄送：{{ person.unit }}，{{ office.parent_name }}（备案）。"),
        number="{office_abbr}纪撤〔{year}〕{seq}号", required=("number", "person.name")))
    s.append(spec("exemption_decision", "免予（不予）处分决定", "exempt", "决定/纪要", 80,
        decision_head("关于对" + WHO + "\n{{ fields.exempt.kind or \"免予处分\" }}的决定") + body(
            IDENTITY,
            "经查，" + WHO + "存在以下问题：")
        + facts() + body(
            v("fields.exempt.conclusion"),
            "{{ (\"依据\" ~ articles_text ~ \"的规定，\") if articles_text else \"\" }}经{{ office.commission }}研究，决定对"
            + WHO + "{{ fields.exempt.kind or \"" + BLANK + "\" }}。")
        + sign(when=v("fields.exempt.served_on", "{{ issued_on }}")),
        number="{office_abbr}纪免〔{year}〕{seq}号", required=("number", "person.name", "fields.exempt.kind")))
    s.append(spec("judicial_transfer_letter", "涉嫌犯罪案件移送函", "judicial", "往来文书", 90,
        decision_head("关于移送{{ person.name }}涉嫌犯罪问题的函") + salute(v("fields.judicial_transfer.organ") + "：") + body(
            "{{ person.unit_post }}{{ person.name }}违纪一案，经我委审查调查（{{ case.number }}），已给予其{{ sanctions_text or \"" + BLANK + "\" }}。",
            "审查调查中发现{{ person.name }}涉嫌犯罪。根据《中国共产党纪律处分条例》第三十一条和《中国共产党纪律检查机关监督执纪工作规则》"
            "第五十七条规定，现将该案移送你单位依法处理，并请将处理结果函告我委。",
            "附件：案件材料（共　　卷　　页）") + sign(),
        number="{office_abbr}纪移〔{year}〕{seq}号", counter="transfer",
        required=("number", "person.name", "fields.judicial_transfer.organ")))
    s.append(spec("appeal_decision", "复议复查决定书", "appeal", "决定/纪要", 90,
        decision_head("复议复查决定书") + body(
            "申诉人：" + IDENTITY,
            "申诉人对{{ sanctions_text or \"原处理决定\" }}不服，于" + d("fields.appeal_review.received_on") + "提出申诉。",
            "我委依规受理，由" + v("fields.appeal_review.review_team") + "组成复查组（原案件承办人员回避），进行了复议复查。",
            "经复议复查，决定：" + v("fields.appeal_review.result") + "。",
            "本决定自作出之日起生效。")
        + sign(when=v("fields.appeal_review.decided_on", "{{ issued_on }}")),
        number="{office_abbr}纪复〔{year}〕{seq}号", required=("number", "person.identity", "fields.appeal_review.result")))
    # ── 办结归档 ──
    s.append(spec("closing_report", "结案报告", "archive", "结案意见", 10,
        title("结案呈批表") + blank(1) + form_number() + table([
            Row([L("案件（线索）\n编号"), V("{{ case.display_number }}"), L("被反映人"), V("{{ case.persons_text }}")]),
            Row([L("单位及职务"), Cell(["{%p for p in persons %}", "{{ p.name }}　{{ p.unit_post }}", "{%p endfor %}"], span=3,
                                    valign="top")]),
            Row([L("受理时间"), V("{{ case.received_on }}"), L("立案时间"), V("{{ case.filed_on }}")]),
            Row([L("结案时间"), V("{{ case.closed_on }}"), L("处分或处理"), V("{{ case.outcomes_text }}")]),
            Row([L("办理经过"), Cell(["{%p for h in history %}", "{{ h.decided_on }}　{{ h.step_title }}：{{ h.decision_title }}",
                                       "{%p endfor %}"], span=3, valign="top")], 50),
            Row([L("处理结果"), V("{{ fields.close_feedback.result_summary }}", span=3, valign="top")], 25),
            Row([L("承办人\n意见"), opinion("建议结案，立卷归档。", "承办人：")], 20),
            Row([L("审批意见"), opinion("", "签批人：")], 20),
        ], FORM_WIDTHS),
        required=("case.display_number", "fields.close_feedback.result_summary", "history[].decision_title")))
    s.append(spec("result_feedback_letter", "处理结果反馈", "archive", "结案意见", 20,
        title("处理结果反馈函") + blank(1) + salute(BLANK + "：") + body(
            "你于{{ case.received_on }}反映{{ case.persons_text }}有关问题的来信（来电、来访）收悉。我委依规进行了办理。",
            "现将处理结果反馈如下：" + v("fields.close_feedback.result_summary"),
            "感谢你对纪检监察工作的支持。如对处理结果有异议，可以在收到本反馈之日起一个月内向我委提出。") + sign(),
        required=("case.persons_text", "fields.close_feedback.result_summary")))
    s.append(spec("case_analysis_report", "案件剖析报告", "archive", "结案意见", 30,
        title("关于{{ person.name }}{{ person.address }}违纪案的\n剖析报告") + blank(1)
        + h1("一、基本案情") + body(IDENTITY, "经查，" + WHO + "存在以下违纪问题：") + facts()
        + body("处理结果：给予" + WHO + "{{ sanctions_text or \"" + BLANK + "\" }}。")
        + h1("二、问题成因剖析") + h2("（一）个人原因") + body(BLANK) + h2("（二）制度和监督原因") + body(BLANK)
        + h1("三、暴露的问题") + body(BLANK)
        + h1("四、整改建议") + body("1．" + BLANK, "2．" + BLANK, "3．" + BLANK) + sign(),
        required=("person.name",)))
    # ── 案卷（纪检监察机关案件档案管理办法 第十条：案卷封皮、卷内目录和备考表；app/services/documents.py build_dossier） ──
    s.append(Spec("dossier_cover", "案卷封面", "archive", 0, "案卷封面",
        blank(3) + title("{{ dossier.unit }}\n案件档案") + blank(3) + table([
            Row([L("案卷题名"), V("{{ dossier.title or \"" + BLANK + "\" }}")], 24),
            Row([L("案件编号"), V("{{ case.display_number }}")], 16),
            Row([L("立档单位"), V("{{ dossier.unit }}")], 16),
            Row([L("起止日期"), V("{{ dossier.period or \"" + BLANK_DATE + "至" + BLANK_DATE + "\" }}")], 16),
            Row([L("本卷件数\n和页数"), V("{{ dossier.extent or \"共　　件、　　页\" }}")], 16),
            Row([L("保管期限"), V("{{ dossier.keeping_term or \"" + BLANK + "\" }}")], 16),
            Row([L("档　　号"), V("{{ dossier.archive_no or \"" + BLANK + "\" }}")], 16),
        ], [36, 120]),
        required=("dossier.title", "dossier.unit", "dossier.period", "dossier.keeping_term", "dossier.archive_no")))
    s.append(spec("dossier_catalog", "卷内目录", "archive", "卷内目录", 0,
        title("卷内目录") + blank(1) + plain("案卷题名：{{ dossier.title }}",
                                             "案件编号：{{ case.display_number }}　　被反映人：{{ case.persons_text }}",
                                             "立卷单位：{{ dossier.unit }}",
                                             "保管期限：{{ dossier.keeping_term or \"" + BLANK + "\" }}　　"
                                             "档号：{{ dossier.archive_no or \"" + BLANK + "\" }}")
        + table([
            Row([V(("序号", "CatalogLabel")), V(("文号", "CatalogLabel")), V(("责任者", "CatalogLabel")), V(("题名", "CatalogLabel")),
                 V(("日期", "CatalogLabel")), V(("页号", "CatalogLabel")), V(("备注", "CatalogLabel"))], 9),
            tr("for doc in documents"),
            Row([V((f"{{{{ doc.{k} }}}}", "CatalogText")) for k in ("seq", "number", "author", "title", "date", "pages", "note")], 9),
            tr("endfor"),
        # 序号 and 日期 (20260305) on one line, 页号 up to "108-112" (五号 digits are half a character wide)
        ], [13, 28, 27, 39, 20, 15, 14], header_rows=1)
        + when("dossier.pages_note", [para("{{ dossier.pages_note }}", "CatalogText")]),
        required=("documents[].title", "documents[].seq", "case.display_number")))
    s.append(Spec("dossier_note", "卷内备考表", "archive", 1300, "备考表",
        title("卷内备考表") + blank(1) + plain("案卷题名：{{ dossier.title or \"" + BLANK + "\" }}") + table([
            Row([V(("本卷情况说明", "TableLabel"), "{{ \"本卷共\" ~ dossier.extent ~ \"。\" if dossier.extent else \"本卷共　　件、　　页。\" }}",
                   "{%p for n in dossier.notes %}", "{{ n.text }}", "{%p endfor %}", valign="top")], 120),
            Row([V("立卷人：{{ dossier.filed_by or \"" + BLANK + "\" }}", "",
                   "检查人：{{ dossier.checked_by or \"" + BLANK + "\" }}", "",
                   "立卷时间：{{ dossier.filed_on or \"" + BLANK_DATE + "\" }}", valign="top")], 50),
        ], [156]),
        required=("dossier.title", "dossier.extent", "dossier.filed_by", "dossier.filed_on")))
    # ── 统计报告（不属于案卷：按统计报告的上下文填写，见 app/documents/report_context.py） ──
    s.append(Spec("period_report", "监督执纪工作统计报告", "report", 0, "",
        title("{{ office.name }}{{ period.label }}监督执纪工作统计报告") + blank(1)
        + body("统计期间：{{ period.label }}（{{ period.from }}至{{ period.to }}），按决定日期统计。统计单位：{{ office.name }}。")
        + h1("一、主要指标") + plain("统计范围：{{ scope }}") + table([
            Row([V(("指标", "TableLabel")), V(("数值", "TableLabel")), V(("占比及说明", "TableLabel"))], 9),
            tr("for i in indicators"),
            Row([V("{{ i.label }}"), V("{{ i.value }}"), V("{{ i.note }}")], 9),
            tr("endfor"),
        ], [70, 30, 56], header_rows=1)
        + when("rollup_shown",
               h1("二、乡镇工作开展情况") + body(
                   "所辖乡镇总数{{ rollup.townships_total }}个，开展初核的乡镇{{ rollup.townships_with_verification }}个，"
                   "有自办立案的乡镇{{ rollup.townships_with_filing }}个，占{{ rollup.townships_with_filing_pct }}%。",
                   "零立案乡镇（无自办立案）：{{ rollup.zero_filing_townships }}。")
               + h1("三、各单位情况") + table([
                   Row([V((t, "CatalogLabel")) for t in ("单位", "收到线索", "初步核实", "立案", "其中自办", "结案", "处分人数")], 9),
                   tr("for o in offices"),
                   Row([V((f"{{{{ o.{k} }}}}", "CatalogText")) for k in ("name", "clues_received", "verifications", "filings",
                                                                        "filings_self", "cases_closed", "people_sanctioned")], 9),
                   tr("endfor"),
               ], [40, 20, 20, 16, 20, 16, 20], header_rows=1))
        + loop("n", "notes", body("说明：{{ n.text }}"))
        + sign("{{ office.name }}", "{{ today }}"),
        required=("office.name", "period.label", "indicators[].label", "indicators[].value")))
    from tools.template_specs_routine import routine_specs  # noqa: PLC0415 - built with this module's helpers
    s += routine_specs(sys.modules[__name__])
    return s


# ---------------------------------------------------------------- packaging

ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def document_xml(content: list[str]) -> str:
    return f"{XML_HEAD}<w:document {NS}><w:body>{''.join(content)}{sect_pr()}</w:body></w:document>"


def docx_bytes(sp: Spec) -> bytes:
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", PACKAGE_RELS), ("docProps/core.xml", core_xml(sp.title)),
        ("docProps/app.xml", APP_XML), ("word/document.xml", document_xml(sp.content)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS), ("word/styles.xml", styles_xml()),
        ("word/settings.xml", settings_xml()), ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml(odd=True)), ("word/footer2.xml", footer_xml(odd=False)),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"))
    return out.getvalue()


MANIFEST_HEADER = """# 纪案通标准文书模板清单（由 tools/build_templates.py 生成，请勿手改：改那里的 SPECS 后重新生成）。
# 格式见 docs/DOCUMENTS.md。number 为编号格式（{office_abbr} 单位代字，{year} 年份，{seq} 顺序号；
# "{case_number}" 表示使用案件的立案编号）；counter 相同的模板共用一个编号序列；
# variables 为模板使用的全部变量，required 为模板必须使用的变量。"""


def build() -> dict[str, bytes]:
    """File name → bytes of every template and the manifest, each template checked by lint."""
    from app.documents import context, lint, manifest
    from app.services.ruleset import shipped_workflow
    from app.paths import resources_dir

    from app.documents.report_context import schema_for

    workflow = shipped_workflow(resources_dir() / "rules" / "workflow.toml")
    case_schema = context.schema(workflow)
    files: dict[str, bytes] = {}
    entries = []
    problems = []
    for sp in specs():
        data = docx_bytes(sp)
        schema = schema_for(sp.stage, case_schema)
        report = lint.lint_docx(data, f"{sp.id}.docx", schema)
        entry = manifest.TemplateEntry(sp.id, sp.title, f"{sp.id}.docx", VERSION, sp.stage, sp.order, sp.group, sp.number,
                                       sp.counter, report.variables, tuple(sp.required),
                                       "" if sp.stage == "report" else sp.author or AUTHOR_OF.get(sp.id, "commission"))
        checked = lint.lint_docx(data, entry.file, schema, entry)
        problems += [f"{p.file} {p.part}第{p.paragraph}段：{p.message}（{p.text}）" for p in checked.problems]
        files[entry.file] = data
        entries.append(entry)
    if problems:
        raise SystemExit("模板未通过检查：\n" + "\n".join(problems))
    entries.sort(key=lambda e: (e.archive_order, e.id))
    files["manifest.toml"] = manifest.to_toml(entries, MANIFEST_HEADER).encode("utf-8")
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, data in files.items() if not (args.out / n).is_file() or (args.out / n).read_bytes() != data]
        extra = [p.name for p in args.out.glob("*.docx") if p.name not in files]
        for name in stale + extra:
            print(f"differs: {name}")
        return 1 if stale or extra else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.docx"):
        if old.name not in files:
            old.unlink()
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    print(f"wrote {len(files) - 1} templates and manifest.toml to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
