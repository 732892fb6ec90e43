"""Issue 17 §1, "JSON columns decode into the engine's types", for the JSON columns beside a case's
state: a validly signed bundle whose clue lists its 问题类别 as numbers, whose 定性 lacks its article,
or whose statistics count in words would be taken as the township sent it, and each county screen,
document or rollup that reads it would fail. Such a record is refused whole, naming the field, and
the county's store is unchanged. Bundles here are the township's own export, edited, and sealed and
signed again with its own keys."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import JSON

from app.domain import subjects
from app.domain.probation import ProbationAct
from app.models import SYNCED_TABLES
from app.sync import json_shapes
from app.sync.records import MODELS, base_type, columns
from tests.integration.test_sync_poison import fresh_bundle, read_payload, refused_unchanged, reseal
from tests.security.security_support import paired_township_with_clue


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """County C01 and township T001, paired; the township holds one clue about 王建国."""
    return paired_township_with_clue(tmp_path_factory.mktemp("json-shapes"), {"name": "王建国", "unit": "青石村"})


@pytest.mark.parametrize(("value", "shown"), [
    ([1, 2], "位置 $[0]"),  # "、".join(categories) in the case view, the statistics' counts by category
    ({"违反廉洁纪律": 1}, "位置 $"),
    ([["违反廉洁纪律"]], "位置 $[0]"),
])
def test_a_signed_clue_whose_categories_are_not_texts_is_refused_and_nothing_changes(chain, tmp_path, value, shown):
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    clue = records["clue"][0]
    clue["categories"], clue["version"] = value, clue["version"] + 1
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    result = refused_unchanged(chain.county, forged, "record_invalid")
    for part in ("青石镇纪委（T001）", "“clue”", clue["id"], "字段 categories 的内容格式有误", shown):
        assert part in result.reason, (part, result.reason)


def test_every_json_column_of_a_synced_table_has_a_shape_or_is_the_case_state():
    """A JSON column added later must be given the shape its readers need, or be checked as the state is."""
    json_columns = {(t, c.key) for t in MODELS for c in columns(t) if isinstance(base_type(c), JSON)}
    assert json_columns - set(json_shapes.SHAPES) == {("case", "state")}
    assert set(json_shapes.SHAPES) <= json_columns
    assert {t for t, _ in json_columns} <= set(SYNCED_TABLES)


def test_what_this_app_writes_has_its_shape():
    act = ProbationAct("转正", date(2026, 3, 2), "青石镇党委", "青石党〔2026〕3号", date(2026, 3, 1))
    assert json_shapes.problem("sanction", "probation_acts", [act.as_json()]) is None
    plain = ProbationAct("延长", date(2026, 3, 2), "青石镇党委")
    assert json_shapes.problem("sanction", "probation_acts", [plain.as_json()]) is None
    adjustments = list(subjects.adjustments([{"kind": "从轻", "basis": "主动交代"}]))
    assert json_shapes.problem("case_subject", "adjustments", adjustments) is None
    assert json_shapes.problem("case", "backfill", {}) is None
    assert json_shapes.problem("statistics_snapshot", "indicators", {"filings": 3, "breakdowns": {"x": {"y": 1}},
                                                                    "filing_rate_pct": 33, "self_discovered_pct": None}) is None


@pytest.mark.parametrize(("table", "key", "value", "shown"), [
    ("case_subject", "articles", [{"plot": "较轻"}], "位置 $[0]"),  # its citation is looked up by the article
    ("case_subject", "adjustments", [{"kind": "从宽", "basis": "x"}], "只能是从轻、减轻、从重、加重"),
    ("sanction", "probation_acts", [{"outcome": "转正", "decided_on": "2026-02-30"}], "日期“2026-02-30”无效"),
    ("sanction", "probation_acts", [{"outcome": "转正", "decided_on": "2026-03-02", "branch_meeting_on": "9999-01-01"}],
     "超出"),
    ("case", "backfill", {"file": "台账.xlsx"}, "位置 $"),  # the case view names its file, row, importer and day
    # summed key by key, divided into shares and sorted by the county and the city (domain/statistics.py)
    ("statistics_snapshot", "indicators", {"filings": "三"}, "位置 $.filings"),
    ("statistics_snapshot", "indicators", {"verifications": -5}, "位置 $.verifications"),
    ("statistics_snapshot", "indicators", {"filing_rate_pct": [1]}, "位置 $.filing_rate_pct"),
    ("statistics_snapshot", "indicators", {"breakdowns": 5}, "位置 $.breakdowns"),
    ("statistics_snapshot", "indicators", {"breakdowns": {"by_source": {"来信": {"x": 1}}}}, "位置 $.breakdowns.by_source"),
    ("statistics_snapshot", "indicators", {"breakdowns": {"monthly": {"2026-03": 5}}}, "位置 $.breakdowns.monthly"),
    ("statistics_snapshot", "indicators", {"breakdowns": {"monthly": {"三月": {"filings": 1}}}}, "位置 $.breakdowns.monthly"),
    ("step_record", "fields", [1], "位置 $"),
    ("collective_study", "attendees", [{"name": "张三"}], "位置 $[0]"),
])
def test_a_json_column_its_readers_cannot_read_has_its_problem_named(table, key, value, shown):
    problem = json_shapes.problem(table, key, value)
    assert problem is not None and f"字段 {key}" in problem and shown in problem, problem
