"""Fuzzing the rules loader and the practice scenario loader: the shipped files mutated as text and as
parsed structures. Each outcome is a loaded object or a RulesError/ScenarioError (DomainError) with
a Chinese message naming the problems; nothing else escapes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.documents.manifest import parse_manifest
from app.domain.errors import DomainError
from app.domain.rules import parse_workflow
from app.domain.sanctions import parse_sanctions
from app.domain.scenarios import parse_scenario
from app.services import practice, ruleset
from tests.fuzz.fuzz_support import (
    FUZZ_CHEAP,
    assert_clean,
    budget,
    structural_edit,
    toml_values,
)

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_TEXT = (ROOT / "resources/rules/workflow.toml").read_text("utf-8")
SANCTIONS_TEXT = (ROOT / "resources/rules/sanctions.toml").read_text("utf-8")
WORKFLOW_DATA = tomllib.loads(WORKFLOW_TEXT)
SANCTIONS_DATA = tomllib.loads(SANCTIONS_TEXT)
WF = parse_workflow(WORKFLOW_DATA, "workflow.toml")
CATALOG = parse_sanctions(SANCTIONS_DATA, "sanctions.toml")
RULES = SimpleNamespace(workflow=WF, catalog=CATALOG)  # what the scenario loader reads of a RuleSet
SCENARIOS = sorted((ROOT / "resources/practice").glob("*.toml"))

TOKENS = ["=", "[", "]", "[[", "]]", "{", "}", '"', "'''", "\n", "#", ",", ".", "-1", "0", "1e999", "true", "nan",
          "2026-02-30", "\\u0000", "..", "../../etc/passwd", "step", "wd", "{{ 7*7 }}", "\x00", "\ufeff", "键"]


@st.composite
def text_edits(draw, text: str) -> str:
    """Lines dropped, duplicated or swapped, and tokens inserted or replaced: broken and half-broken TOML."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["drop", "dup", "swap", "insert", "replace_value"]))
        if kind == "drop":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            at = draw(st.integers(0, len(lines[i])))
            token = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)))
            lines[i] = lines[i][:at] + token + lines[i][at:]
        elif "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = key + "= " + draw(st.sampled_from(['""', "-5", "0", "[]", "{}", '"x"', "1.5", "true", "[1, \"a\"]",
                                                          '"../../etc/passwd"', "2026-01-01", '"filing"']))
        if not lines:
            lines = [""]
    return "\n".join(lines)


def loads_cleanly(load) -> None:
    try:
        load()
    except Exception as exc:  # noqa: BLE001 - the property: nothing but typed errors
        assert_clean(exc)


@budget(120)  # the full workflow file: several milliseconds per parse
@given(text=text_edits(WORKFLOW_TEXT))
def test_mutated_workflow_text(text):
    loads_cleanly(lambda: ruleset.parse_text("workflow.toml", text))


@FUZZ_CHEAP
@given(text=text_edits(SANCTIONS_TEXT))
def test_mutated_sanctions_text(text):
    loads_cleanly(lambda: ruleset.parse_text("sanctions.toml", text))


@budget(120)  # the full workflow file: several milliseconds per parse
@given(data=st.data())
def test_structurally_mutated_workflow(data):
    mutated = structural_edit(WORKFLOW_DATA, data.draw, toml_values)
    loads_cleanly(lambda: parse_workflow(mutated, "workflow.toml"))


@FUZZ_CHEAP
@given(data=st.data())
def test_structurally_mutated_sanctions(data):
    mutated = structural_edit(SANCTIONS_DATA, data.draw, toml_values)
    loads_cleanly(lambda: parse_sanctions(mutated, "sanctions.toml"))


@FUZZ_CHEAP
@given(data=st.data(), path=st.sampled_from(SCENARIOS))
def test_mutated_scenario_text(data, path):
    text = data.draw(text_edits(path.read_text("utf-8")))
    loads_cleanly(lambda: practice.parse_text(text, path.name, RULES))


@FUZZ_CHEAP
@given(data=st.data(), path=st.sampled_from(SCENARIOS))
def test_structurally_mutated_scenario(data, path):
    mutated = structural_edit(tomllib.loads(path.read_text("utf-8")), data.draw, toml_values)
    loads_cleanly(lambda: parse_scenario(mutated, path.name, WF, CATALOG))


def test_toml_nested_too_deep_is_refused_not_a_recursion_error():
    nested = "a = " + "[" * 100_000 + "]" * 100_000
    for load in (lambda: ruleset.parse_text("workflow.toml", nested), lambda: ruleset.parse_text("sanctions.toml", nested),
                 lambda: practice.parse_text(nested, "deep.toml", RULES), lambda: parse_manifest(nested)):
        with pytest.raises(DomainError) as refused:
            load()
        assert "嵌套层数过多" in refused.value.message
