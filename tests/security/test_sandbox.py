"""A template or a practice scenario cannot read files or run code. Every known way out of Jinja —
includes and imports of a real secret file, the globals of cycler/joiner/namespace/lipsum, the
template reference's context, subscripts and filters that reach dunder attributes, str.format — is
refused by lint, by the renderer and by the runtime sandbox on its own, and while each is tried an
audit hook sees no read of the secret file and no process start. A scenario file is data: its paths
are only names checked against the rules, and loading it opens nothing."""

from __future__ import annotations

import io
import sys
import tomllib
from pathlib import Path

import pytest
from docx import Document as new_docx
from jinja2.exceptions import SecurityError, TemplateError

from app.documents import context, lint
from app.documents.render import TemplateRefused, render_docx
from app.documents.sandbox import environment
from app.domain.rules import parse_workflow
from app.domain.sanctions import parse_sanctions
from app.domain.scenarios import ScenarioError, parse_scenario
from app.services import practice

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text("utf-8")), "sanctions.toml")
SCHEMA = context.schema(WF)
SECRET_TEXT = "机密-SANDBOX-4K"
PWNED = Path("/tmp/jiantong-sandbox-pwned")

WATCHED = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "socket.", "ctypes.", "pty.")
_seen: list | None = None
_secret: list[str] = []


def _hook(event: str, args: tuple) -> None:
    if _seen is None:
        return
    if event.startswith(WATCHED) or (event == "open" and args and str(args[0]) in _secret):
        _seen.append((event, str(args[:1])))


sys.addaudithook(_hook)


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET_TEXT, encoding="utf-8")
    _secret[:] = [str(path)]
    return path


def watching(action) -> list:
    global _seen
    _seen = []
    try:
        action()
    finally:
        found, _seen = _seen, None
    return found


def escapes(secret: Path) -> list[str]:
    s = str(secret)
    return [
        f"{{% include '{s}' %}}",
        f"{{% import '{s}' as x %}}{{{{ x }}}}",
        f"{{% from '{s}' import y %}}",
        f"{{% extends '{s}' %}}",
        "{{ cycler.__init__.__globals__.os.system('touch " + str(PWNED) + "') }}",
        "{{ joiner.__init__.__globals__.__builtins__.open('" + s + "').read() }}",
        "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'].popen('touch " + str(PWNED) + "') }}",
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
        "{{ person['__class__']['__mro__'][1]['__subclasses__']() }}",
        "{{ person.name|attr('__class__')|attr('__mro__') }}",
        "{{ persons|map(attribute='__class__')|list }}",
        "{{ '{0.__class__.__mro__}'.format(person.name) }}",
        "{{ person.name.format.__globals__ }}",
        "{% set g = person.__init__.__globals__ %}{{ g }}",
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
        "{{ loop.__class__.__init__.__globals__ }}",
        "{{ config.__class__.__init__.__globals__['os'] }}",
        "{{ request.application.__globals__.__builtins__.__import__('os') }}",
        "{{ range.__self__.open('" + s + "') }}",
    ]


def docx(text: str) -> bytes:
    doc = new_docx()
    doc.add_paragraph("标题")
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def sample(shape):
    if shape == context.TEXT:
        return "样例"
    if shape == context.FLAG:
        return False
    if isinstance(shape, list):
        return [sample(shape[0])]
    return {k: sample(v) for k, v in shape.items()}


def test_every_escape_is_refused_by_lint_and_by_the_renderer(secret):
    for tag in escapes(secret):
        data = docx(tag)
        report = lint.lint_docx(data, "escape.docx", SCHEMA)
        assert not report.ok, tag
        assert {p.code for p in report.problems} & {"sandbox_violation", "undeclared_variable", "syntax_error"}, (tag, report)

        def render(data=data):
            with pytest.raises(TemplateRefused):
                render_docx(data, sample(SCHEMA), SCHEMA, file="escape.docx")

        assert watching(render) == [], tag
    assert not PWNED.exists()


def test_the_runtime_sandbox_alone_stops_them(secret):
    """Even a template that never went through lint: no file is read, no process starts."""
    assert watching(secret.read_text) != []  # the hook does see a read of the secret file
    env = environment()
    ctx = sample(SCHEMA)
    for tag in escapes(secret):
        def run(tag=tag):
            try:
                out = env.from_string(tag).render(**ctx)
            except (SecurityError, TemplateError, TypeError):
                return  # TypeError: the environment has no loader, so an include cannot name a file
            assert SECRET_TEXT not in out and "<module 'os'" not in out, (tag, out)

        assert watching(run) == [], tag
    assert not PWNED.exists()


SCENARIO = ROOT / "resources/practice/01_vague_anonymous_letter.toml"


@pytest.mark.parametrize("edit", [
    ("scenario", "id", "../../../etc/passwd"),
    ("scenario", "title", "<img src='file:///etc/passwd'>"),
    ("clue", "incoming_no", "{{ cycler.__init__.__globals__.os.system('id') }}"),
])
def test_a_scenario_is_data_and_loading_it_opens_nothing(secret, edit):
    data = tomllib.loads(SCENARIO.read_text("utf-8"))
    table, key, value = edit
    data[table][key] = value.replace("/etc/passwd", str(secret))

    def load():
        try:
            scenario = parse_scenario(data, "hostile.toml", WF, CATALOG)
        except ScenarioError as exc:
            assert "hostile.toml" in exc.message
            return
        # taken as plain text: nothing in it was evaluated or followed
        assert scenario.title == data["scenario"]["title"] and SECRET_TEXT not in repr(scenario)

    assert watching(load) == []


def test_a_scenario_document_check_naming_a_path_is_refused(secret):
    text = SCENARIO.read_text("utf-8") + f"\n[[documents]]\ntemplate = \"../../{secret}\"\npoints = 1\nfeedback = \"x\"\n"

    def load():
        with pytest.raises(ScenarioError) as refused:
            practice.parse_text(text, "hostile.toml", type("R", (), {"workflow": WF, "catalog": CATALOG})())
        assert "hostile.toml" in refused.value.message

    assert watching(load) == []
