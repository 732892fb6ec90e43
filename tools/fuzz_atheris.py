"""Coverage-guided fuzzing of the untrusted-input readers with atheris, for as long as you like.

Optional and not part of CI (tests/fuzz/ runs the bounded hypothesis properties there). Install
atheris into the venv first (`pip install atheris`; it ships Linux wheels), then e.g.

    python tools/fuzz_atheris.py bundle -max_total_time=600
    mkdir -p corpus/template && cp app/docs_templates/*.docx corpus/template/
    python tools/fuzz_atheris.py template -max_total_time=3600 corpus/template/

Seed a corpus folder with real inputs (a bundle from `export`, the shipped templates, rules and
practice scenarios, a clue JSON): random bytes alone rarely get past a ZIP's or TOML's first check.

Targets: bundle (framing and manifest of a .jab), payload (the decrypted ZIP), rules (workflow.toml
text), sanctions, scenario (a practice scenario file), template (lint, then render), clue (the JSON
of `clue add` against a scratch store). The property is the one of tests/fuzz/: only the project's
typed errors (AppError, DomainError) with a Chinese message; anything else propagates and atheris
reports it as a crash with the input that caused it. Options after the target go to libFuzzer.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import tomllib
from pathlib import Path
from types import SimpleNamespace

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["app"]):
    from app.documents import context, lint
    from app.documents.render import render_docx
    from app.domain.errors import DomainError
    from app.domain.rules import parse_workflow
    from app.domain.sanctions import parse_sanctions
    from app.errors import AppError
    from app.services import practice, ruleset
    from app.sync import archive, container, manifest

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SCRATCH = Path(tempfile.mkdtemp(prefix="jiantong-atheris-"))
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text("utf-8")), "sanctions.toml")
SCHEMA = context.schema(WF)


def typed(call) -> None:
    try:
        call()
    except (AppError, DomainError) as exc:
        if not CHINESE.search(exc.message):
            raise AssertionError(f"{exc.code}: message without Chinese: {exc.message!r}") from exc


def as_file(data: bytes, name: str) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


def bundle(data: bytes) -> None:
    def run():
        header = container.read_header(as_file(data, "input.jab"))
        manifest.check(header.manifest, "input.jab")

    typed(run)


def payload(data: bytes) -> None:
    def run():
        reader = archive.Payload(as_file(data, "payload.zip"))
        try:
            for name in sorted(reader.names - {archive.INDEX}):
                if name.endswith(".jsonl"):
                    list(reader.lines(name))
                elif name.endswith(".json"):
                    reader.read_json(name)
                else:
                    reader.read(name)
        finally:
            reader.close()

    typed(run)


def text_of(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


def rules(data: bytes) -> None:
    typed(lambda: ruleset.parse_text("workflow.toml", text_of(data)))


def sanctions(data: bytes) -> None:
    typed(lambda: ruleset.parse_text("sanctions.toml", text_of(data)))


def scenario(data: bytes) -> None:
    typed(lambda: practice.parse_text(text_of(data), "input.toml", SimpleNamespace(workflow=WF, catalog=CATALOG)))


def template(data: bytes) -> None:
    report = lint.lint_docx(data, "input.docx", SCHEMA)  # a report, never an exception
    if report.ok:
        typed(lambda: render_docx(data, {}, SCHEMA, file="input.docx"))


_store = None


def clue(data: bytes) -> None:
    global _store
    if _store is None:
        from app.paths import store_paths
        from app.services import setup, unlock

        paths = store_paths(SCRATCH / "store")
        setup.create_store(paths, setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", "fuzzpass2026",
                                                     parent_code="C01", kdf_profile="fast"))
        _store = unlock.unlock(paths, None, "fuzzpass2026").store
    from app.services import cases

    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return  # read_json_file refuses these before the service sees them
    typed(lambda: cases.register_clue(_store, value))


TARGETS = {f.__name__: f for f in (bundle, payload, rules, sanctions, scenario, template, clue)}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        print(f"用法：python tools/fuzz_atheris.py {{{'|'.join(TARGETS)}}} [libFuzzer 选项…]", file=sys.stderr)
        sys.exit(2)
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
