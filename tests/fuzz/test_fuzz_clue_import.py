"""Fuzzing the clue importers: `apply` JSON Lines and the JSON of `case add`. A valid registration is
mutated field by field (any JSON value, missing, stray keys) and random lines are thrown in; every
outcome is a registration or a typed refusal in Chinese, and a refused line leaves every row as it was."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli.context import read_json_file
from app.errors import InputError
from app.paths import store_paths
from app.services import batch, cases, setup, unlock
from app.services.subjects import SUBJECT_ACTIONS
from tests.fuzz.fuzz_support import (
    CHINESE,
    FUZZ,
    assert_clean,
    json_values,
    store_digest,
    structural_edit,
)

PASSWORD = "fuzzpass2026"
TODAY = date(2026, 6, 30)
VALID = {
    "received_on": "2026-06-01", "source": "信访举报（来信）", "summary": "反映某村支书优亲厚友", "categories": ["其他"],
    "incoming_no": "青纪信〔2026〕1号", "leader_instruction": "请核查", "ref": "r1",
    "reporter": {"name": "举报人甲", "phone": "13900000000", "id_number": "", "address": "某村", "real_name": True},
    "persons": [{"name": "被反映人乙", "unit": "某村党支部", "post": "书记", "category": "村干部", "political_status": "中共党员"}],
}


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    paths = store_paths(tmp_path_factory.mktemp("fuzz-clues") / "data")
    setup.create_store(paths, setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD, parent_code="C01",
                                                 office_abbr="青石", kdf_profile="fast"))
    store = unlock.unlock(paths, None, PASSWORD).store
    case_id = cases.register_clue(store, VALID, today=TODAY).case_id
    yield store, case_id
    store.close()


@FUZZ
@given(data=st.data())
def test_clue_json_of_any_shape(township, data):
    store, _ = township
    clue = structural_edit(VALID, data.draw) if data.draw(st.booleans()) else data.draw(json_values)
    before = store_digest(store)
    try:
        cases.register_clue(store, clue, today=TODAY)
    except Exception as exc:  # noqa: BLE001 - the property: nothing but typed errors
        assert_clean(exc)
        assert store_digest(store) == before


action_keys = st.sampled_from(["type", "step", "decision", "item", "field", "value", "on", "note", "event", "ref", "x"])
line_values = st.one_of(
    st.text(max_size=40),
    json_values.map(json.dumps),
    st.dictionaries(action_keys, json_values, max_size=4).map(lambda d: json.dumps({"case": "c", **d})),
    st.builds(lambda d: json.dumps({"ref": "c", "clue": d}), st.just(VALID)),
)


@FUZZ
@given(data=st.data())
def test_apply_lines_of_any_shape(township, data):
    store, case_id = township
    lines = data.draw(st.lists(line_values, min_size=1, max_size=4))
    # a mutated clue line, and an action on a real case
    if data.draw(st.booleans()):
        lines.insert(0, json.dumps({"ref": "m", "clue": structural_edit(VALID, data.draw)}, ensure_ascii=False))
    if data.draw(st.booleans()):
        action = data.draw(st.dictionaries(action_keys, json_values, max_size=4))
        lines.append(json.dumps({"case": case_id, **action}, ensure_ascii=False))
    before = store_digest(store)
    try:
        report = batch.apply_lines(store, lines, today=TODAY)
    except Exception as exc:  # noqa: BLE001 - apply reports failures; anything raised must still be typed
        assert_clean(exc)
        assert store_digest(store) == before
        return
    if report.failed is not None:
        assert report.failed["code"] and CHINESE.search(report.failed["message"]), report.failed
        if report.applied == 0:
            assert store_digest(store) == before  # the failing line wrote nothing, nor did any before it


subject_action_types = st.sampled_from(sorted(SUBJECT_ACTIONS | {"record_sanction", "close_subject"}))
subject_keys = st.sampled_from(["subject", "values", "articles", "adjustments", "evidence", "fact", "narrative",
                                "amount", "kind", "title", "pages", "obtained_on", "met_on", "statement",
                                "approved_on", "approver", "type_id", "decided_on", "organ", "outcome", "reason"])


@FUZZ
@given(data=st.data())
def test_subject_actions_of_any_shape(township, data):
    """The actions on one person (particulars, facts, evidence, 定性 …) with any values: refused in
    Chinese with nothing written, or done; never an untyped error."""
    store, case_id = township
    action = {"type": data.draw(subject_action_types), **data.draw(st.dictionaries(subject_keys, json_values, max_size=5))}
    before = store_digest(store)
    report = batch.apply_lines(store, [json.dumps({"case": case_id, **action}, ensure_ascii=False)], today=TODAY)
    if report.failed is not None:
        assert report.failed["code"] and CHINESE.search(report.failed["message"]), report.failed
        assert store_digest(store) == before


def test_deeply_nested_json_is_refused_not_a_recursion_error(township, tmp_path):
    store, _ = township
    nested = "[" * 100_000 + "]" * 100_000
    before = store_digest(store)
    report = batch.apply_lines(store, [nested], today=TODAY)
    assert report.applied == 0 and report.failed["code"] == "bad_json" and CHINESE.search(report.failed["message"])
    path = tmp_path / "clue.json"
    path.write_text(nested, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_json_file(str(path))
    assert refused.value.code == "bad_json"
    assert store_digest(store) == before
