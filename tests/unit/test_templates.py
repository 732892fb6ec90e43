"""The shipped templates: complete for the rules, reproducible, GB/T 9704 geometry, and they render.

Rendering here uses a synthetic context that follows the schema exactly (every variable filled,
or every variable empty); tests/integration renders them again from real cases in a real store.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from lxml import etree

from app.documents import context, lint, report_context
from app.documents.manifest import parse_manifest
from app.documents.registry import shipped_dir
from app.documents.render import Fonts, render_docx, title_of
from app.domain.rules import parse_workflow

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
SCHEMA = context.schema(WF)
FOLDER = shipped_dir()
ENTRIES = parse_manifest((FOLDER / "manifest.toml").read_text("utf-8"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 1440 / 25.4


def parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")}


def attr(el, name: str) -> str | None:
    return el.get(W + name)


# --- complete and reproducible ----------------------------------------------------------------

def test_every_rules_template_has_an_entry_a_file_and_passes_lint():
    referenced = {d.template for step in WF.steps.values() for d in step.documents}
    report = lint.lint_dir(FOLDER, SCHEMA, stages=[s.id for s in WF.stages], referenced=referenced)
    assert report.missing_templates == ()
    assert report.problems == ()
    assert [(f.file, f.problems) for f in report.files if not f.ok] == []
    assert referenced <= set(ENTRIES) and len(ENTRIES) == len(report.files) >= 45
    # the only templates no workflow step makes are the report templates (report --out FILE.docx) and the
    # dossier's 案卷封面 and 卷内备考表 (the dossier makes them with its 卷内目录)
    reports = {i for i, e in ENTRIES.items() if report_context.is_report(e.stage)}
    assert reports == {report_context.PERIOD_REPORT}
    assert {i for i in ENTRIES if i not in referenced} == reports | {"dossier_cover", "dossier_note"}
    assert {f.file for f in report.files} == {e.file for e in ENTRIES.values()}


def test_the_committed_templates_are_what_the_generator_builds():
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "tools" / "build_templates.py")
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder  # dataclasses look their module up while the file runs
    spec.loader.exec_module(builder)
    built = builder.build()
    assert set(built) == {p.name for p in FOLDER.iterdir() if p.suffix in (".docx", ".toml")}
    for name, data in built.items():
        committed = (FOLDER / name).read_bytes()
        if name.endswith(".toml"):
            assert committed == data, name
            continue
        with zipfile.ZipFile(io.BytesIO(data)) as new, zipfile.ZipFile(io.BytesIO(committed)) as old:
            assert new.namelist() == old.namelist(), name
            for member in new.namelist():
                assert new.read(member) == old.read(member), f"{name}:{member} — run python tools/build_templates.py"


# --- geometry (GB/T 9704-2012, procedures.md §6) -----------------------------------------------

@pytest.mark.parametrize("template_id", sorted(ENTRIES))
def test_geometry_and_fonts(template_id):
    xml = parts((FOLDER / ENTRIES[template_id].file).read_bytes())
    sect = xml["word/document.xml"].find(f"{W}body/{W}sectPr")
    size, margins, grid = sect.find(W + "pgSz"), sect.find(W + "pgMar"), sect.find(W + "docGrid")
    assert (int(attr(size, "w")), int(attr(size, "h"))) == (11906, 16838)  # A4
    for side, mm in (("top", 37), ("right", 26), ("bottom", 35), ("left", 28)):
        assert abs(int(attr(margins, side)) - mm * MM) < 1, side
    # a line grid only: LibreOffice fits 28 characters and keeps the punctuation at line ends (tests/unit/test_template_layout.py)
    assert (attr(grid, "type"), attr(grid, "linePitch"), attr(grid, "charSpace")) == ("lines", "579", "-849")
    # 22 lines of 28.95 pt fill the 225 mm block; 28 characters of 15.75 pt fit the 156 mm line
    assert 22 * 579 <= (16838 - int(attr(margins, "top")) - int(attr(margins, "bottom"))) < 23 * 579
    assert 28 * (320 - 5) <= 11906 - int(attr(margins, "left")) - int(attr(margins, "right")) < 29 * (320 - 5)
    rfonts = [el for root in xml.values() for el in root.iter(W + "rFonts")]
    assert rfonts and all(attr(el, "eastAsia") for el in rfonts), "every run property names its East Asian font"
    assert not any(attr(el, a) for el in rfonts for a in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme"))
    styles = xml["word/styles.xml"]
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert attr(lang, "eastAsia") == "zh-CN"
    by_id = {attr(s, "styleId"): s for s in styles.iter(W + "style")}

    def font_size(style_id):
        rpr = by_id[style_id].find(W + "rPr")
        return attr(rpr.find(W + "rFonts"), "eastAsia"), int(attr(rpr.find(W + "sz"), "val")) / 2

    assert font_size("Normal") == ("仿宋_GB2312", 16)
    assert font_size("Title") == ("方正小标宋简体", 22)
    assert font_size("Heading1") == ("黑体", 16) and font_size("Heading2") == ("楷体_GB2312", 16)
    assert font_size("Heading3") == ("仿宋_GB2312", 16)
    odd, even = ("".join(t.text for t in xml[f"word/footer{i}.xml"].iter(W + "t")) for i in (1, 2))
    assert odd == even == "— 1 —"
    assert xml["word/settings.xml"].find(W + "evenAndOddHeaders") is not None


def test_numbered_templates_follow_the_official_pattern():
    for entry in ENTRIES.values():
        if entry.number and entry.number != "{case_number}":
            number = entry.number.format(office_abbr="青石", office_code="T001", year=2026, seq=3)
            # 纪/监: the 纪委's and the 监察办公室's own; 委: the 乡镇党委's 请示 of 乡镇报批 ([P] 第三十八条)
            assert re.fullmatch(r"青石(纪|监|委)[\u4e00-\u9fff]〔2026〕3号", number), entry.id


# --- rendering with the schema's context ---------------------------------------------------------

def sample(shape, path: str, fill):
    if shape == context.TEXT:
        return fill(path)
    if shape == context.FLAG:
        return False
    if isinstance(shape, list):
        return [sample(shape[0], f"{path}[{i}]", fill) for i in range(2)] if fill("x") else []
    return {k: sample(v, f"{path}.{k}" if path else k, fill) for k, v in shape.items()}


def full_context(schema: dict = SCHEMA) -> dict:
    counter = iter(range(1, 100_000))
    return sample(schema, "", lambda path: f"值{next(counter)}<&\"'")


def empty_context(schema: dict = SCHEMA) -> dict:
    return sample(schema, "", lambda path: "")


def text_of(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join(lines)


def test_the_synthetic_contexts_follow_the_schema():
    for schema in (SCHEMA, report_context.SCHEMA):
        assert context.conforms(full_context(schema), schema) == []
        assert context.conforms(empty_context(schema), schema) == []


# the 定性 articles of a decision are printed through basis_text, which adds the articles on the kind of sanction
PRINTED_AS_BASIS = {"articles_text", "gov_articles_text"}


@pytest.mark.parametrize("template_id", sorted(ENTRIES))
def test_renders_full_and_empty(template_id):
    entry = ENTRIES[template_id]
    template = (FOLDER / entry.file).read_bytes()
    schema = report_context.schema_for(entry.stage, SCHEMA)  # a report template has the report schema
    full = full_context(schema)
    data = render_docx(template, full, schema, file=entry.file)
    text = text_of(data)
    for path in entry.required:
        if path in PRINTED_AS_BASIS:
            continue
        for value in context.values_at(full, path):
            assert value in text, (path, value)
    assert "&lt;" not in text and "&amp;" not in text and "{{" not in text and "{%" not in text
    empty = render_docx(template, empty_context(schema), schema, file=entry.file)
    assert "{{" not in text_of(empty)
    assert title_of(data) and title_of(empty)


def test_special_characters_and_line_breaks_render_exactly():
    entry = ENTRIES["filing_decision"]
    ctx = full_context()
    ctx["fields"]["filing"]["basis"] = "甲<乙 & \"丙\" '丁'\n第二行\t制表"
    text = text_of(render_docx((FOLDER / entry.file).read_bytes(), ctx, SCHEMA, file=entry.file))
    assert "主要问题是：甲<乙 & \"丙\" '丁'\n第二行\t制表" in text


def test_office_fonts_replace_the_standard_names():
    entry = ENTRIES["sanction_decision"]
    fonts = Fonts(body="仿宋", title="方正小标宋_GBK", heading="思源黑体", kai="楷体")
    data = render_docx((FOLDER / entry.file).read_bytes(), full_context(), SCHEMA, file=entry.file, fonts=fonts)
    xml = parts(data)
    names = {attr(el, "eastAsia") for root in xml.values() for el in root.iter(W + "rFonts")}
    assert {"仿宋", "方正小标宋_GBK", "思源黑体", "楷体"} <= names
    assert not names & {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"}
    normal = next(s for s in xml["word/styles.xml"].iter(W + "style") if attr(s, "styleId") == "Normal")
    rfonts = normal.find(f"{W}rPr/{W}rFonts")
    assert {attr(rfonts, a) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {"仿宋"}


def test_practice_documents_carry_a_visible_mark():
    entry = ENTRIES["sanction_decision"]
    ctx = full_context() | {"number": "练习〔2026〕1号", "practice": True}
    data = render_docx((FOLDER / entry.file).read_bytes(), ctx, SCHEMA, file=entry.file, practice_mark="练习文书　练习〔2026〕1号")
    doc = open_docx(io.BytesIO(data))
    for section in doc.sections:
        for header in (section.header, section.even_page_header):
            assert "练习文书　练习〔2026〕1号" in "".join(p.text for p in header.paragraphs)
    assert "练习〔2026〕1号" in text_of(data)
    plain = render_docx((FOLDER / entry.file).read_bytes(), full_context(), SCHEMA, file=entry.file)
    assert "练习" not in "".join(p.text for s in open_docx(io.BytesIO(plain)).sections for p in s.header.paragraphs)
