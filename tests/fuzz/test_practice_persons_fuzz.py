"""Fuzzing the persons part of practice scenarios (the scenarios of cases with several persons): the
shipped files mutated as text and as TOML structure, and answers files naming persons, are refused
only with typed errors carrying a Chinese message."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from app.domain.scenarios import parse_scenario
from app.services import practice, ruleset
from tests.fuzz.fuzz_support import FUZZ_CHEAP, assert_clean, structural_edit, toml_values
from tests.fuzz.test_fuzz_rules_scenarios import text_edits

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "resources" / "rules"
RULES = SimpleNamespace(workflow=ruleset.shipped_workflow(RULES_DIR / "workflow.toml"),
                        catalog=ruleset.shipped_catalog(RULES_DIR / "sanctions.toml"),
                        articles=ruleset.shipped_articles(RULES_DIR / "articles.toml"))
BARE = SimpleNamespace(workflow=RULES.workflow, catalog=RULES.catalog)  # as tools/fuzz_atheris.py passes it
EVERY = practice.shipped_files()  # every scenario is read with the persons part
SCENARIOS = [path for path in EVERY if "[[reference.persons]]" in path.read_text("utf-8")]


def loads_cleanly(load) -> None:
    try:
        load()
    except Exception as exc:  # noqa: BLE001 - the property: nothing but typed errors
        assert_clean(exc)


@FUZZ_CHEAP
@given(data=st.data(), path=st.sampled_from(EVERY), rules=st.sampled_from([RULES, BARE]))
def test_mutated_scenario_text_through_the_service(data, path, rules):
    text = data.draw(text_edits(path.read_text("utf-8")))
    loads_cleanly(lambda: practice.parse_text(text, path.name, rules))


@FUZZ_CHEAP
@given(data=st.data(), path=st.sampled_from(EVERY))
def test_structurally_mutated_scenario_with_the_articles(data, path):
    mutated = structural_edit(tomllib.loads(path.read_text("utf-8")), data.draw, toml_values)
    loads_cleanly(lambda: parse_scenario(mutated, path.name, RULES.workflow, RULES.catalog, RULES.articles))


@FUZZ_CHEAP
@given(data=st.data(), path=st.sampled_from(SCENARIOS))
def test_structurally_mutated_answers_naming_persons(data, path):
    scenario = practice.parse_text(path.read_text("utf-8"), path.name, RULES)
    mutated = structural_edit(practice.reference_answers(scenario), data.draw, toml_values)
    loads_cleanly(lambda: practice.parse_answers(mutated, "answers.json", RULES))
