"""Fuzzing the template linter and the render sandbox: tag soup built from the schema's variables
and every known escape route, docx bytes and document XML mutated. The linter always answers with a
report (problems in Chinese, never an exception); whatever it lets through renders inside the
sandbox or is refused with TemplateRefused — and nothing opens a file or starts a process."""

from __future__ import annotations

import io
import sys
import tomllib
import zipfile
from pathlib import Path

from docx import Document as new_docx
from hypothesis import given
from hypothesis import strategies as st

from app.documents import context, lint
from app.documents.render import render_docx
from app.domain.rules import parse_workflow
from tests.fuzz.fuzz_support import (
    CHINESE,
    FUZZ,
    FUZZ_CHEAP,
    apply_mutations,
    assert_clean,
    mutations,
)

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
SCHEMA = context.schema(WF)
SHIPPED = sorted((ROOT / "app/docs_templates").glob("*.docx"))


def sample(shape):
    """A context that conforms to the schema, every text a short marker."""
    if shape == context.TEXT:
        return "样例"
    if shape == context.FLAG:
        return False
    if isinstance(shape, list):
        return [sample(shape[0])]
    return {k: sample(v) for k, v in shape.items()}


CONTEXT = sample(SCHEMA)
assert not context.conforms(CONTEXT, SCHEMA)

# --- what a hostile template may try ----------------------------------------------------------

SECRET = ROOT / "test-artifacts" / "fuzz-secret.txt"
SECRET_TEXT = "机密标记-FUZZ-7Q"
VARIABLES = ["person.name", "case.summary", "case.number", "persons", "p", "office.name", "fields.filing.basis",
             "sanctions", "numbers", "history", "x", "loop", "self", "cycler", "joiner", "namespace", "lipsum", "range",
             "dict", "config", "request", "os", "__builtins__", "''", "()", "[]", "{}", "1", "9**9", "'a'*9"]
ATTRIBUTES = [".__class__", ".__mro__", ".__subclasses__()", ".__globals__", ".__init__", ".__builtins__", ".__dict__",
              ".mro()", ".gi_frame", ".f_globals", ".func_globals", ".__base__", ".format", ".upper()", ".name", ".unit",
              "[0]", "['__class__']", ".__getitem__('os')", ".popen('id')", ".read()", ".system('id')", "._TemplateReference__context",
              ".__self__", ".__func__", ".__code__", ".__reduce_ex__(2)", ".environment", ".eval_ctx"]
FILTERS = ["|attr('__class__')", "|join", "|replace('a','b')", "|format(1)", "|safe", "|map('upper')", "|selectattr('x')",
           "|list", "|sum", "|tojson", "|xmlattr", "|pprint", "|e", "|int", "|string", "|length", "|first", "|default('x')",
           "|indent(99999)", "|center(99999)", "|wordwrap(1)", "|batch(99999)", "|urlize", "|trim"]
STATEMENTS = [
    "{% include '" + str(SECRET) + "' %}", "{% import 'os' as os %}", "{% from '/etc/passwd' import x %}",
    "{% extends '" + str(SECRET) + "' %}", "{% set x = cycler.__init__.__globals__.os %}", "{% with a = 1 %}{{ a }}{% endwith %}",
    "{% for p in persons %}{{ p.name }}{% endfor %}", "{%p for i in range(99999) %}", "{% for a in persons %}{% for b in persons %}x{% endfor %}{% endfor %}",
    "{% raw %}{{ x }}{% endraw %}", "{% filter upper %}x{% endfilter %}", "{% call x() %}y{% endcall %}",
    "{% macro m() %}{% endmacro %}", "{% block b %}{% endblock %}", "{% autoescape false %}x{% endautoescape %}",
    "{% do x %}", "{% break %}", "{%p if person.name %}", "{%p endif %}", "{%tr for p in persons %}", "{{", "}}", "{%", "%}",
    "{#", "#}", "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.system('touch /tmp/jiantong-pwned') }}",
    "{{ joiner.__init__.__globals__.__builtins__.open('" + str(SECRET) + "').read() }}",
    "{{ namespace.__init__.__globals__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ config.__class__.__init__.__globals__['os'].environ }}",
]


@st.composite
def expressions(draw) -> str:
    expr = draw(st.sampled_from(VARIABLES))
    for _ in range(draw(st.integers(0, 3))):
        expr += draw(st.sampled_from(ATTRIBUTES + FILTERS))
    return "{{ " + expr + " }}"


paragraph = st.lists(st.one_of(expressions(), st.sampled_from(STATEMENTS), st.sampled_from(["文字", " ", "，", "\n"])),
                     min_size=1, max_size=4).map("".join)


def docx(paragraphs: list[str]) -> bytes:
    doc = new_docx()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- watching for file and process access ------------------------------------------------------

WATCHED = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "socket.", "ctypes.", "pty.")
_events: list[tuple] | None = None


def _hook(event: str, args: tuple) -> None:
    if _events is None:
        return
    if event.startswith(WATCHED) or (event == "open" and args and str(args[0]) == str(SECRET)):
        _events.append((event, args[:2]))


sys.addaudithook(_hook)


def watched(action) -> list[tuple]:
    """Run `action` and return every process start, socket or read of the secret file it caused."""
    global _events
    _events = []
    try:
        action()
    finally:
        seen, _events = _events, None
    return seen


def lint_then_render(data: bytes) -> None:
    report = lint.lint_docx(data, "fuzz.docx", SCHEMA)  # never raises: the problems are the answer
    assert all(CHINESE.search(p.message) for p in report.problems), report.problems
    assert report.ok == (not report.problems)

    def render():
        try:
            out = render_docx(data, CONTEXT, SCHEMA, file="fuzz.docx")
        except Exception as exc:  # noqa: BLE001 - the property: nothing but typed errors
            assert_clean(exc)
            return
        assert report.ok, "rendered although lint refused it"
        assert SECRET_TEXT.encode() not in out

    assert watched(render) == []
    assert not Path("/tmp/jiantong-pwned").exists()


@FUZZ
@given(paragraphs=st.lists(paragraph, min_size=1, max_size=3))
def test_tag_soup_and_sandbox_escapes(paragraphs):
    SECRET.parent.mkdir(exist_ok=True)
    SECRET.write_text(SECRET_TEXT, encoding="utf-8")
    lint_then_render(docx(paragraphs))


@FUZZ_CHEAP
@given(data=st.data(), path=st.sampled_from(SHIPPED))
def test_mutated_template_bytes(data, path):
    raw = path.read_bytes()
    lint_then_render(apply_mutations(raw, data.draw(mutations(len(raw)))))


@st.composite
def xml_edits(draw, xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(
            st.sampled_from(["<", ">", "</w:t>", "<w:t>", "</w:p>", "<w:p>", "&", "&amp;", "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
                             "&e;", "<?xml version='1.0'?>", "\x00", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
                             "{{ person.__class__ }}", "{%", "<w:t>{{</w:t>", "<w:instrText>{{ x }}</w:instrText>"]),
            paragraph))
        text = text[:at] + piece + text[at:]
    return text.encode("utf-8")


@FUZZ
@given(data=st.data(), path=st.sampled_from(SHIPPED[:4]))
def test_mutated_document_xml(data, path):
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts["word/document.xml"] = data.draw(xml_edits(parts["word/document.xml"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in parts.items():
            dst.writestr(name, blob)
    lint_then_render(out.getvalue())


def test_a_part_in_another_namespace_is_not_a_docx():
    """Found by the fuzzer: with the WordprocessingML namespace changed, lint saw no paragraphs and passed
    the file, and the renderer then failed with an AttributeError."""
    with zipfile.ZipFile(SHIPPED[0]) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b'xmlns:w="http://', b'xmlns:w="http:&amp;//', 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in parts.items():
            dst.writestr(name, blob)
    report = lint.lint_docx(out.getvalue(), "ns.docx", SCHEMA)
    assert [p.code for p in report.problems] == ["not_docx"]
    lint_then_render(out.getvalue())
