"""Template lint and the sandbox: what a county template may contain, reported with file and paragraph."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
from docx import Document as new_docx
from jinja2.exceptions import SecurityError, UndefinedError

from app.documents import context, lint, manifest
from app.documents.render import TemplateRefused, render_docx
from app.documents.sandbox import environment
from app.domain.rules import parse_workflow

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
SCHEMA = context.schema(WF)


def docx(*paragraphs, runs: list[list[str]] | None = None, title: str = "") -> bytes:
    """A .docx with one paragraph per text (or one paragraph per list of runs)."""
    doc = new_docx()
    for text in paragraphs:
        doc.add_paragraph(text)
    for parts in runs or []:
        p = doc.add_paragraph()
        for part in parts:
            p.add_run(part)
    if title:
        doc.core_properties.title = title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def problems(data: bytes, entry=None) -> list[lint.Problem]:
    return list(lint.lint_docx(data, "t.docx", SCHEMA, entry).problems)


def codes(data: bytes, entry=None) -> list[tuple[str, int]]:
    return [(p.code, p.paragraph) for p in problems(data, entry)]


def test_a_clean_template_passes_and_reports_what_it_uses():
    data = docx("标题", "{{ person.name }}，{{ fields.filing.basis }}", "{%p for p in persons %}", "{{ p.unit }}", "{%p endfor %}")
    report = lint.lint_docx(data, "t.docx", SCHEMA)
    assert report.ok, report.problems
    assert set(report.variables) == {"person.name", "fields.filing.basis", "persons", "persons[].unit"}


@pytest.mark.parametrize("tag", [
    "{{ person.__class__ }}",
    "{{ person.name.__class__.__mro__ }}",
    "{% import 'os' as os %}",
    "{% from 'os' import system %}",
    "{% include 'x' %}",
    "{% extends 'x' %}",
    "{{ range(10) }}",
    "{{ person.name.upper() }}",
    "{{ person|attr('__class__') }}",
    "{{ person.name|safe }}",
    "{{ person.name * 1000000 }}",
    "{{ 9 ** 99999 }}",
    "{{ '%s' % person.name }}",
    "{% macro m() %}x{% endmacro %}",
    "{% autoescape false %}{{ person.name }}{% endautoescape %}",
    "{{ case.summary|join(case.summary) }}",
    "{{ case.summary|replace('', case.summary) }}",
])
def test_sandbox_violations_are_reported_at_their_paragraph(tag):
    found = problems(docx("第一段", "第二段", tag))
    assert [p.code for p in found if p.code == "sandbox_violation"], found
    assert {p.paragraph for p in found} == {3}
    assert all(p.part == "正文" and p.file == "t.docx" for p in found)


def test_huge_and_nested_loops_are_refused():
    huge = problems(docx("{%p for i in range(1000000000) %}", "x", "{%p endfor %}"))
    assert any("循环只能遍历" in p.message for p in huge) and any("调用" in p.message for p in huge)
    nested = problems(docx("{%p for a in persons %}", "{%p for b in persons %}", "{%p for c in persons %}", "{{ c.name }}",
                           "{%p endfor %}", "{%p endfor %}", "{%p endfor %}"))
    assert [(p.code, p.paragraph) for p in nested] == [("sandbox_violation", 3)]
    over_text = problems(docx("{%p for ch in case.summary %}", "{{ ch }}", "{%p endfor %}"))
    assert any(p.code == "sandbox_violation" and p.paragraph == 1 for p in over_text)


def test_undeclared_variables_including_reporter_identity():
    found = problems(docx("{{ reporter.name }}", "{{ fields.filing.no_such_field }}", "{{ person.name }}"))
    assert [(p.code, p.paragraph) for p in found] == [("undeclared_variable", 1), ("undeclared_variable", 2)]
    assert "reporter" in found[0].message and "fields.filing.no_such_field" in found[1].message


def test_split_and_malformed_tags():
    assert codes(docx("开头 {{ person.", "name }} 结尾")) == [("split_tag", 1)]
    assert codes(docx("{{ person.name }")) == [("malformed_tag", 1)]
    assert codes(docx("正常", "{ person.name }")) == [("malformed_tag", 2)]
    assert codes(docx("｛｛ person.name ｝｝")) == [("malformed_tag", 1)]
    assert codes(docx("多余的 }} 结束")) == [("malformed_tag", 1)]
    assert codes(docx("{% if person.name %}没有结束")) == [("syntax_error", 1)]


def test_a_tag_word_split_into_runs_is_fine():
    data = docx(runs=[["{{ per", "son.na", "me }}"]])
    assert problems(data) == []


def test_a_tag_hidden_in_the_document_properties_is_found():
    found = problems(docx("正文", title="{{ person.__class__ }}"))
    assert [p.code for p in found] == ["sandbox_violation"]
    assert "文档属性" in found[0].part


def test_manifest_required_and_declared_variables():
    entry = manifest.TemplateEntry("x", "X", "t.docx", "1", "filing", 0, required=("person.name", "number"),
                                   variables=("person.name",))
    found = problems(docx("{{ person.name }}{{ case.summary }}"), entry)
    assert {(p.code, p.message) for p in found} == {
        ("required_variable_missing", "模板没有使用必需的变量“number”"),
        ("variable_not_in_manifest", "模板使用了变量“case.summary”，但清单 variables 中没有列出"),
    }


def test_not_a_docx():
    found = problems(b"PK\x03\x04 not really a zip")
    assert [p.code for p in found] == ["not_docx"]


def test_lint_dir_checks_manifest_and_files(tmp_path):
    (tmp_path / "a.docx").write_bytes(docx("{{ person.name }}"))
    (tmp_path / "stray.docx").write_bytes(docx("{{ person.name }}"))
    entries = [manifest.TemplateEntry("a", "甲", "a.docx", "1", "filing", 1, variables=("person.name",)),
               manifest.TemplateEntry("b", "乙", "b.docx", "1", "nowhere", 2)]
    (tmp_path / "manifest.toml").write_text(manifest.to_toml(entries), encoding="utf-8")
    report = lint.lint_dir(tmp_path, SCHEMA, stages=[s.id for s in WF.stages], referenced={"a", "c"})
    assert not report.ok
    assert {(p.code, p.file) for p in report.problems} == {("file_missing", "b.docx"), ("unknown_stage", "b.docx")}
    by_file = {f.file: f for f in report.files}
    assert by_file["a.docx"].ok and by_file["a.docx"].template_id == "a"
    assert [p.code for p in by_file["stray.docx"].problems] == ["not_in_manifest"]
    assert report.missing_templates == ("c",)
    (tmp_path / "manifest.toml").unlink()
    assert [p.code for p in lint.lint_dir(tmp_path, SCHEMA).problems] == ["manifest_missing"]


def test_manifest_number_patterns():
    assert manifest.number_pattern_problem("{office_abbr}纪立〔{year}〕{seq}号") is None
    assert manifest.number_pattern_problem("{case_number}") is None
    assert "须包含" in manifest.number_pattern_problem("{office_abbr}纪立〔{year}〕号")
    assert "无法识别" in manifest.number_pattern_problem("{office_abbr.__class__}〔{year}〕{seq}号")
    assert "无法识别" in manifest.number_pattern_problem("〔{year}〕{seq:>99999}号")
    assert manifest.format_number("{office_abbr}纪立〔{year}〕{seq}号", office_abbr="X", office_code="T", year=2026,
                                  seq=3) == "X纪立〔2026〕3号"


def test_rendering_refuses_what_lint_refuses_and_writes_nothing():
    for bad in ("{{ person.__class__ }}", "{% import 'os' as os %}", "{%p for i in range(10**9) %}"):
        with pytest.raises(TemplateRefused) as refused:
            render_docx(docx(bad), {}, SCHEMA, file="bad.docx")
        assert refused.value.code == "template_refused" and "bad.docx" in refused.value.message


def test_the_runtime_sandbox_stands_on_its_own():
    env = environment()
    with pytest.raises(SecurityError):
        env.from_string("{{ s.__class__ }}").render(s="x")
    with pytest.raises(SecurityError):
        env.from_string("{{ s * 100000000 }}").render(s="x")
    with pytest.raises(SecurityError):
        env.from_string("{{ range(3) }}").render()  # no globals: range is undefined, and nothing is callable
    with pytest.raises(SecurityError):
        env.from_string("{{ s.upper }}").render(s="x")  # a method is not a value a document may print
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ s }}").render(s='<a & "b">') == "&lt;a &amp; &#34;b&#34;&gt;"
