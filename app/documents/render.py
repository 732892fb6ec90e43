"""Render one template with one context: checked, sandboxed, fonts of the office, practice mark.

Templates name their fonts by the four standard names below; rendering replaces each with the
office's setting (w:ascii, w:hAnsi, w:eastAsia and w:cs alike, since GB/T 9704 sets every
element in the same face), so a county template works for every township's installed fonts.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml import etree

from app.documents import external, wording
from app.documents.lint import ZIP_DAMAGE, guard
from app.documents.sandbox import environment
from app.domain.errors import DomainError

CANONICAL_FONTS = {"仿宋_GB2312": "body", "方正小标宋简体": "title", "黑体": "heading", "楷体_GB2312": "kai"}
FONT_ATTRS = tuple(qn(f"w:{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs"))
_FONT_PARTS = re.compile(r"word/(document|styles|fontTable|header\d*|footer\d*|footnotes)\.xml")
MAX_OUTPUT_BYTES = 50 * 1024 * 1024
PACKAGE_DAMAGE = (*ZIP_DAMAGE, etree.XMLSyntaxError, PackageNotFoundError)
PRACTICE_RED = RGBColor(0xC0, 0x00, 0x00)


@dataclass(frozen=True)
class Fonts:
    body: str = "仿宋_GB2312"
    title: str = "方正小标宋简体"
    heading: str = "黑体"
    kai: str = "楷体_GB2312"

    def mapping(self) -> dict[str, str]:
        return {name: getattr(self, role) for name, role in CANONICAL_FONTS.items()}


class TemplateRefused(DomainError):
    """The template failed the check or the sandbox: nothing was rendered, nothing stored."""


def _refuse(file: str, reasons: list[str]) -> TemplateRefused:
    shown = "；".join(reasons[:5]) + ("……" if len(reasons) > 5 else "")
    return TemplateRefused("template_refused", f"模板“{file}”未通过安全和格式检查，不能使用：{shown}", {"problems": reasons})


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _rename_fonts(xml: bytes, mapping: dict[str, str]) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    changed = False
    for el in root.iter(qn("w:rFonts")):
        for attr in FONT_ATTRS:
            value = el.get(attr)
            if value in mapping and mapping[value] != value:
                el.set(attr, mapping[value])
                changed = True
    for el in root.iter(qn("w:font")):  # fontTable entries
        value = el.get(qn("w:name"))
        if value in mapping and mapping[value] != value:
            el.set(qn("w:name"), mapping[value])
            changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else xml


@lru_cache(maxsize=64)
def apply_fonts(template: bytes, fonts: Fonts) -> bytes:
    """The template with the office's font names in place of the standard ones."""
    mapping = fonts.mapping()
    if all(k == v for k, v in mapping.items()):
        return template
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if _FONT_PARTS.fullmatch(info.filename):
                data = _rename_fonts(data, mapping)
            dst.writestr(info, data)
    return out.getvalue()


def mark_practice(doc, mark: str, fonts: Fonts) -> None:
    """A red 练习 line in every page header (odd, even and first-page headers alike)."""
    for section in doc.sections:
        headers = [section.header, section.even_page_header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for header in headers:
            header.is_linked_to_previous = False
            p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = p.add_run(mark)
            run.bold = True
            run.font.size = Pt(16)
            run.font.color.rgb = PRACTICE_RED
            rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
            for attr in FONT_ATTRS:
                rfonts.set(attr, fonts.heading)


def tidy_document(doc) -> None:
    """Punctuation where a case value meets the template's text (app/documents/wording.py), in the
    body, tables, headers and footers."""
    parts = [doc.element.body] + [h._element for sec in doc.sections
                                  for h in (sec.header, sec.footer, sec.even_page_header, sec.even_page_footer)
                                  if not h.is_linked_to_previous]
    for part in parts:
        for p in part.iter(qn("w:p")):
            wording.tidy_runs(list(p.iter(qn("w:t"))))


def render_docx(template: bytes, context: dict, schema: dict, *, file: str, fonts: Fonts = Fonts(),
                practice_mark: str = "") -> bytes:
    """The rendered .docx; TemplateRefused when the template fails the check or the sandbox stops it."""
    problems = guard(template, file, schema)
    if problems:
        raise _refuse(file, [f"{p.part}第{p.paragraph}段：{p.message}" if p.paragraph else p.message for p in problems])
    try:
        tpl = DocxTemplate(io.BytesIO(apply_fonts(template, fonts)))
        try:
            tpl.render(context, jinja_env=environment(), autoescape=True)
        except TemplateError as exc:
            raise _refuse(file, [f"渲染时出错：{exc.message or type(exc).__name__}"]) from exc
        tidy_document(tpl.docx)
        if practice_mark:
            mark_practice(tpl.docx, practice_mark, fonts)
        out = io.BytesIO()
        tpl.save(out)
    except PACKAGE_DAMAGE as exc:
        # a part lint does not read (styles, relationships, content types) is broken
        raise _refuse(file, [f"模板文件已损坏，不是有效的 Word 文档（{type(exc).__name__}）"]) from exc
    # whatever the template: nothing in a generated document may make Word fetch from elsewhere
    data = external.strip(out.getvalue())
    if len(data) > MAX_OUTPUT_BYTES:
        raise _refuse(file, ["生成的文书超过50MB，模板可能有失控的循环"])
    return data


def title_of(data: bytes) -> str:
    """The document's own title: its leading Title-style paragraphs joined ("" when it has none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"), _PARSER)
    parts: list[str] = []
    for p in root.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        is_title = style is not None and style.get(qn("w:val")) == "Title"
        if is_title:
            parts.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
        elif parts:
            break
    return "".join(parts).strip()
