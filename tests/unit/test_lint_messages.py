"""What `templates lint` tells a county that edited a template in Word or WPS: each fault once, in Chinese, at
the paragraph of the fault (its table cell and the start of its text), with what to do; no raw Jinja English and
no follow-up noise (issue 16, item 10)."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from docx import Document as new_docx

from app.documents import context, lint, manifest, report_context
from app.documents.render import TemplateRefused, render_docx
from app.domain.rules import parse_workflow

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "app/docs_templates"
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
SCHEMA = context.schema(WF)
ENTRY = manifest.TemplateEntry("t", "测试文书", "t.docx", "1", "filing", 1,
                               required=("person.name", "persons[].name", "case.summary"))
WORD_QUOTES = ("Jinja 标记中的引号是中文弯引号（“ ”），模板里的引号必须是英文直引号（\"）。"
               "请在 Word 中关闭“自动套用格式—直引号替换为弯引号”，并把输入法切换为英文标点后重新输入。")
JINJA_ENGLISH = re.compile(r"unexpected|expected|Encountered|looking for|innermost|template|token|statement", re.I)


def docx(*paragraphs: str, table: list[list[str]] | None = None, after: tuple[str, ...] = (), header: str = "",
         title: str = "") -> bytes:
    """A real .docx: paragraphs, then a table (one paragraph per cell), then more paragraphs."""
    doc = new_docx()
    for text in paragraphs:
        doc.add_paragraph(text)
    if table:
        grid = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text in after:
        doc.add_paragraph(text)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    if title:
        doc.core_properties.title = title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def found(data: bytes, entry=ENTRY, schema=SCHEMA) -> list[tuple[str, str, int, str]]:
    report = lint.lint_docx(data, "t.docx", schema, entry)
    assert report.ok == (not report.problems)
    for p in report.problems:
        assert not JINJA_ENGLISH.search(p.message), p.message
    return [(p.code, p.part, p.paragraph, p.message) for p in report.problems]


def edited(name: str, old: str, new: str) -> bytes:
    """A shipped template with one edit of its document.xml, as a county's Word would save it."""
    out = io.BytesIO()
    with zipfile.ZipFile(SHIPPED / name) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert old in xml, (name, old)
                data = xml.replace(old, new, 1).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def shipped_entry(name: str) -> tuple[manifest.TemplateEntry, dict]:
    entries = manifest.parse_manifest((SHIPPED / "manifest.toml").read_text("utf-8"))
    entry = next(e for e in entries.values() if e.file == name)
    return entry, report_context.schema_for(entry.stage, SCHEMA)


def document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def paragraph_of(data: bytes, text: str) -> int:
    return lint.paragraphs(document_xml(data)).index(text) + 1


# --- Word's curly quotes -------------------------------------------------------------------

def test_word_curly_quotes_in_a_tag_are_one_problem_per_paragraph_in_chinese():
    data = docx("询问笔录",
                "谈话人：{{ fields.investigation.investigators or “＿＿＿＿” }}　记录人：{{ person.name or “无” }}",
                "被谈话人：{{ person.name or ‘某某’ }}",
                "{%p for p in persons %}", "{{ p.name }}：{{ case.summary }}", "{%p endfor %}")
    assert found(data) == [
        ("smart_quote", "正文", 2, "“谈话人：{{ fields.investigat…”：" + WORD_QUOTES),
        ("smart_quote", "正文", 3, "“被谈话人：{{ person.name or ‘…”：Jinja 标记中的引号是中文弯引号（‘ ’），"
                                   "模板里的引号必须是英文直引号（'）。请在 Word 中关闭“自动套用格式—直引号替换为弯引号”，"
                                   "并把输入法切换为英文标点后重新输入。"),
    ]
    # the rest of the template is still read: its variables are known and no required one seems missing
    report = lint.lint_docx(data, "t.docx", SCHEMA, ENTRY)
    assert {"fields.investigation.investigators", "person.name", "persons[].name"} <= set(report.variables)
    with pytest.raises(TemplateRefused):
        render_docx(data, {}, SCHEMA, file="t.docx")


def test_curly_quotes_behind_a_sandbox_violation_do_not_hide_it():
    assert [(c, n) for c, _, n, _ in found(docx("{{ person.name or “无” }}", "{{ person.__class__ }}"), None)] == [
        ("smart_quote", 1), ("sandbox_violation", 2)]


def test_curly_quotes_meant_for_the_document_inside_a_string():
    # valid Jinja as written, but docxtpl straightens every curly quote inside a tag before running it
    assert found(docx('{{ "“" ~ person.name ~ "”" }}'), None) == [
        ("smart_quote", "正文", 1, "“{{ \"“\" ~ person.name ~ \"…”：Jinja 标记里的字符串中有中文弯引号（“ ” ‘ ’）："
                                   "生成文书时它们会被换成英文直引号，标记会出错或印出别的文字。"
                                   "要在文书中印出引号，请把引号写在标记外面，如“{{ 变量 }}”。")]


def test_curly_quotes_in_a_shipped_template_edited_in_word():
    # the first `{{ x or "…" }}` of a shipped template that Word keeps in one run
    name, tag = next((p.name, m) for p in sorted(SHIPPED.glob("*.docx"))
                     for m in re.findall(r'\{\{[^{}<]* or "[^"<]*" \}\}', document_xml(p.read_bytes()).decode()))
    curly = re.sub(r'"([^"]*)"', r"“\1”", tag)
    data = edited(name, tag, curly)
    entry, schema = shipped_entry(name)
    texts = lint.paragraphs(document_xml(data))
    at = next(i for i, t in enumerate(texts, 1) if curly in t)
    start = texts[at - 1].strip()
    start = start if len(start) <= 24 else start[:24] + "…"
    assert found(data, entry, schema) == [("smart_quote", "正文", at, f"“{start}”：" + WORD_QUOTES)]


# --- an if or for without its end --------------------------------------------------------------

def test_an_unclosed_paragraph_if_is_reported_where_it_opens_and_nothing_else():
    data = docx("关于立案的决定", "{%p if person.name %}", "被反映人：{{ person.name }}", "{%p for p in persons %}",
                "{{ p.name }}，{{ case.summary }}", "{%p endfor %}", "特此决定。", "{{ office.name }}")
    # before: "Unexpected end of template. Jinja was looking for …" at the last paragraph, then one
    # required_variable_missing per required variable
    assert found(data) == [
        ("syntax_error", "正文", 2, "“{%p if person.name %}”：这个标记开始了一个条件块，但后面没有找到与它配对的 "
                                    "{%p endif %}。请在条件块内容结束的地方加上 {%p endif %}（单独占一段）。")]


def test_an_unclosed_for_in_a_table_row_names_the_cell():
    data = docx("被审查调查人名单",
                table=[["姓名", "单位", "职务"],
                       ["{%tr for p in persons %}", "", ""],
                       ["{{ p.name }}", "{{ p.unit }}", "{{ p.post }}"]],
                after=("{{ person.name }}：{{ case.summary }}",))
    assert found(data) == [
        ("syntax_error", "正文", 5, "表格1第2行第1列“{%tr for p in persons %}”：这个标记开始了一个循环，但后面没有找到"
                                    "与它配对的 {%tr endfor %}。请在循环内容结束的地方加上 {%tr endfor %}（单独占表格的一行）。")]


def test_an_unclosed_plain_for_and_a_block_closed_too_late():
    assert found(docx("{% for p in persons %}{{ p.name }}", "{{ person.name }}{{ case.summary }}")) == [
        ("syntax_error", "正文", 1, "“{% for p in persons %}{{…”：标记 {% for p in persons %} 开始了一个循环，"
                                    "但后面没有找到与它配对的 {% endfor %}。请在循环内容结束的地方加上 {% endfor %}。")]
    crossed = docx("{%p if person.name %}", "{%p for p in persons %}", "{{ p.name }}{{ case.summary }}", "{%p endif %}",
                   "{%p endfor %}")
    assert found(crossed) == [
        ("syntax_error", "正文", 2, "“{%p for p in persons %}”：这个标记开始了一个循环，但在第4段的 {%p endif %} 之前"
                                    "没有找到与它配对的 {%p endfor %}。请在循环内容结束的地方加上 {%p endfor %}（单独占一段）。")]


def test_unclosed_blocks_of_shipped_templates_edited_in_word():
    for name, opener, closer in (("period_report.docx", "{%p if rollup_shown %}", "{%p endif %}"),
                                 ("dossier_catalog.docx", "{%tr for doc in documents %}", "{%tr endfor %}")):
        entry, schema = shipped_entry(name)
        data = edited(name, closer, "")
        problems = found(data, entry, schema)
        assert [(c, n) for c, _, n, _ in problems] == [("syntax_error", paragraph_of(data, opener))], problems
        assert f"“{opener[:24]}" in problems[0][3] and f"没有找到与它配对的 {closer}" in problems[0][3]


# --- an end or else that closes nothing --------------------------------------------------------

def test_a_stray_endif_is_one_problem_at_its_paragraph():
    data = docx("{%p if person.name %}", "{{ person.name }}", "{%p endif %}", "{{ persons|length }}{{ case.summary }}",
                "{%p endif %}", "落款")
    # before: "Encountered unknown tag 'endif'." and three required variables "missing"
    assert found(data, manifest.TemplateEntry("t", "测试文书", "t.docx", "1", "filing", 1, required=("person.name",))) == [
        ("syntax_error", "正文", 5, "“{%p endif %}”：这个标记前面没有与它配对的 {%p if … %}：这是多余的结束标记，"
                                    "或者开始标记被删掉、写错了。请删去它，或补上开始标记。")]


def test_a_stray_else():
    assert found(docx("{{ person.name }}{{ persons|length }}{{ case.summary }}", "{%p else %}")) == [
        ("syntax_error", "正文", 2, "“{%p else %}”：这个标记不在任何 {%p if … %} … {%p endif %} 之间，前面没有与它配对的 "
                                    "{%p if … %}。请删去它，或补上开始标记。")]


# --- docxtpl's paragraph and table-row tags ----------------------------------------------------

def test_a_paragraph_tag_must_have_its_paragraph_to_itself():
    assert found(docx("{%p if person.name %}被反映人：{{ person.name }}", "{%p endif %}"), None) == [
        ("misplaced_tag", "正文", 1, "“{%p if person.name %}被反映…”：标记 {%p if person.name %} 须单独占一段："
                                     "生成文书时这一段会整个换成它，同一段里的其他文字和标记会丢失。请把其他内容移到另一段。")]
    # two in one paragraph: docxtpl keeps only the first, and the rendering failed with raw Jinja text
    assert [(c, n) for c, _, n, _ in found(docx("{%p if person.name %}{%p endif %}"), None)] == [("misplaced_tag", 1)]


def test_a_table_row_tag_outside_a_table():
    # before: "Encountered unknown tag 'tr'." with no paragraph, as if hidden in a field code
    assert found(docx("{%tr for p in persons %}", "{{ p.name }}", "{%tr endfor %}"), None) == [
        ("misplaced_tag", "正文", 1, "“{%tr for p in persons %}”：这个标记是表格行标记（tr），只能写在表格的单元格里；"
                                     "不在表格中的内容请改用段落标记，如 {%p for … %}。"),
        ("misplaced_tag", "正文", 3, "“{%tr endfor %}”：这个标记是表格行标记（tr），只能写在表格的单元格里；"
                                     "不在表格中的内容请改用段落标记，如 {%p endfor %}。"),
    ]


# --- any other syntax error, translated ----------------------------------------------------------

@pytest.mark.parametrize(("tag", "subject", "why"), [
    ("{{ person.name ｜ default(\"无\") }}", "这个标记", "标记中有全角字符“｜”，须改为半角“|”（请把输入法切换为英文标点后重新输入）"),
    ("{{ person.name or（\"无\"） }}", "这个标记", "标记中有全角字符“（”，须改为半角“(”（请把输入法切换为英文标点后重新输入）"),
    ("{{ person.name or \"无 }}", "这个标记", "引号没有配对：字符串的开头有“\"”，结尾却没有"),
    ("{{ person name }}", "这个标记", "“}}”之前多出了“name”（是否漏写了 or、~ 或 |，或名称中间多了空格？）"),
    ("{{ }}", "这个标记", "缺少变量或表达式（“{{ }}”中是空的，或 if、or、~ 后面缺少内容）"),
    ("{% %}", "这个标记", "“{% %}”中缺少标记名（如 if、for）"),
    ("{{ person.name ) }}", "这个标记", "多了一个“)”，前面没有与它配对的左括号"),
    ("{{ (person.name }}", "这个标记", "括号不配对：这里应是“)”，却是“}”"),
    ("{{ person. }}", "这个标记", "“.”后面须是名称"),
    ("{% for p persons %}{% endfor %}", "标记 {% for p persons %} ", "for 标记须写成 {% for 名称 in 列表 %}"),
    ("{%p fi person.name %}", "这个标记", "不认识的标记“fi”：可用的标记有 if、elif、else、endif、for、endfor、set，"
                              "段落和表格行的标记写成 {%p if … %}、{%tr for … %}（p、tr 后面有一个空格）"),
])
def test_other_syntax_errors_are_explained_at_their_paragraph(tag, subject, why):
    quoted = tag if len(tag) <= 24 else tag[:24] + "…"
    assert found(docx("标题", tag), None) == [("syntax_error", "正文", 2, f"“{quoted}”：{subject}写法有误：{why}。")]


def test_several_faults_in_one_part_each_once():
    # before: only the first, "unexpected ')'", and nothing of the other two
    data = docx("{{ person.name ) }}", "说明 {{ person.name ｜ x }}", "{%p if person.name %}", "{{ case.summary }}")
    assert found(data, None) == [
        ("syntax_error", "正文", 1, "“{{ person.name ) }}”：这个标记写法有误：多了一个“)”，前面没有与它配对的左括号。"),
        ("syntax_error", "正文", 2, "“说明 {{ person.name ｜ x }}”：标记 {{ person.name ｜ x }} 写法有误：标记中有全角字符“｜”，"
                                    "须改为半角“|”（请把输入法切换为英文标点后重新输入）。"),
        ("syntax_error", "正文", 3, "“{%p if person.name %}”：这个标记开始了一个条件块，但后面没有找到与它配对的 {%p endif %}。"
                                    "请在条件块内容结束的地方加上 {%p endif %}（单独占一段）。"),
    ]


def test_headers_and_document_properties():
    assert found(docx("正文", header="{{ office.name or “无” }}"), None) == [
        ("smart_quote", "页眉1", 1, "“{{ office.name or “无” }}”：" + WORD_QUOTES)]
    assert found(docx("正文", header="{% if office.name %}{{ office.name }}"), None) == [
        ("syntax_error", "页眉1", 1, "“{% if office.name %}{{ o…”：标记 {% if office.name %} 开始了一个条件块，"
                                     "但后面没有找到与它配对的 {% endif %}。请在条件块内容结束的地方加上 {% endif %}。")]
    assert found(docx("正文", title="{{ office.name ) }}"), None) == [
        ("syntax_error", "文档属性", 0, "文档属性中的模板标记有语法错误：多了一个“)”，前面没有与它配对的左括号"
                                      "（标记不在正文文字中，可能藏在域代码、属性或文档属性里）。")]


def test_a_broken_end_tag_is_not_also_reported_as_an_unclosed_block():
    # the end tag is not read, so the if seems unclosed: that is the same fault, said once
    malformed = docx("{%p if person.name %}", "{{ person.name }}", "{%p endif %")
    assert [c for c, *_ in found(malformed, None)] == ["malformed_tag"]
    split = docx("{%p if person.name %}", "{{ person.name }}", "{%p endif", "%}")
    assert [c for c, *_ in found(split, None)] == ["split_tag"]


def test_the_places_of_paragraphs_in_tables():
    data = docx("前", table=[["a", "b"], ["c", "d"]], after=("后",))
    xml = document_xml(data)
    assert list(zip(lint.paragraphs(xml), lint.paragraph_places(xml))) == [
        ("前", ""), ("a", "表格1第1行第1列"), ("b", "表格1第1行第2列"), ("c", "表格1第2行第1列"), ("d", "表格1第2行第2列"),
        ("后", "")]
