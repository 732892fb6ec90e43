"""Sanction catalog, approval powers, effect periods with [T] 21 accumulation, four-forms counting."""

import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.domain.sanctions import (
    APPROVER_LABELS,
    KIND_LABELS,
    SanctionRecord,
    approval_check,
    effect_period,
    four_forms,
    in_effect,
    parse_sanctions,
)

CATALOG_FILE = Path(__file__).resolve().parents[2] / "resources" / "rules" / "sanctions.toml"
RAW = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
CAT = parse_sanctions(RAW, "sanctions.toml")


def test_catalog_holds_every_type_of_the_procedures():
    expected = {
        "party_warning": ("警告", "party", 12, 2, "township_commission"),
        "party_serious_warning": ("严重警告", "party", 18, 2, "township_commission"),
        "party_removal": ("撤销党内职务", "party", 24, 3, "township_committee"),
        "party_probation_1y": ("留党察看一年", "party", 36, 3, "township_committee"),
        "party_probation_2y": ("留党察看二年", "party", 48, 3, "township_committee"),
        "party_expulsion": ("开除党籍", "party", 60, 3, "county"),
        "gov_warning": ("警告", "gov", 6, 2, "county"),
        "gov_demerit": ("记过", "gov", 12, 2, "county"),
        "gov_major_demerit": ("记大过", "gov", 18, 2, "county"),
        "gov_demotion": ("降级", "gov", 24, 3, "county"),
        "gov_dismissal": ("撤职", "gov", 24, 3, "county"),
        "gov_expulsion": ("开除", "gov", 0, 3, "county"),
        "judicial": ("移送司法", "judicial", 0, 4, "county"),
        "form1_admonish": ("诫勉", "form1", 6, 1, "township_commission"),
        "form1_self_criticism": ("责令检查", "form1", 0, 1, "township_commission"),
        "org_resign": ("责令辞职", "org", 24, 2, "township_committee"),
        "pi_downgrade": ("降低岗位等级", "public_institution", 24, 3, "township_committee"),
    }
    for type_id, values in expected.items():
        t = CAT.get(type_id)
        assert (t.name, t.kind, t.effect_months, t.form, t.approver) == values, type_id
    assert {t.kind for t in CAT.types.values()} == set(KIND_LABELS)
    assert len([t for t in CAT.types.values() if t.kind == "form1"]) == 12
    assert CAT.get("gov_expulsion").permanent and CAT.get("pi_expulsion").permanent


def test_village_managers_only_warning_demerit_major_demerit():
    allowed = {t.id for t in CAT.of_kind("gov") if t.village_manager_allowed}
    assert allowed == {"gov_warning", "gov_demerit", "gov_major_demerit"}
    assert approval_check(CAT, "gov_demotion", village_manager=True)[-1] == "not_allowed_for_village_manager"


def test_local_practice_values_carry_a_note():
    for type_id in ("gov_warning", "gov_dismissal", "party_probation_1y", "pi_warning", "org_demote", "judicial"):
        assert CAT.get(type_id).note, type_id
    assert CAT.get("party_warning").note is None


def test_of_kind_is_ordered_light_to_heavy():
    assert [t.id for t in CAT.of_kind("party")] == [
        "party_warning",
        "party_serious_warning",
        "party_removal",
        "party_serious_warning_in_lieu",  # [T] 11: in place of 撤销党内职务, as heavy as it
        "party_probation_1y",
        "party_probation_2y",
        "party_expulsion",
    ]


def test_unknown_type_refused():
    with pytest.raises(DomainError) as caught:
        CAT.get("party_reprimand")
    assert caught.value.code == "unknown_sanction"


@pytest.mark.parametrize(
    ("type_id", "decided", "end"),
    [
        ("party_warning", date(2025, 3, 1), date(2026, 3, 1)),
        ("party_serious_warning", date(2025, 3, 1), date(2026, 9, 1)),
        ("gov_demerit", date(2025, 3, 1), date(2026, 3, 1)),
        ("gov_warning", date(2025, 8, 31), date(2026, 2, 28)),  # month arithmetic clamps
        ("party_warning", date(2025, 10, 4), date(2026, 10, 4)),  # no rolling out of 国庆
        ("gov_expulsion", date(2025, 3, 1), None),
        ("form1_reminder", date(2025, 3, 1), date(2025, 3, 1)),
    ],
)
def test_effect_period_without_prior(type_id, decided, end):
    assert effect_period(CAT, type_id, decided, []) == (decided, end)


def _record(type_id: str, decided: date, person: str = "p1") -> SanctionRecord:
    return SanctionRecord(type_id, decided, effect_period(CAT, type_id, decided, [])[1], person)


def test_new_party_sanction_during_effect_period_accumulates():
    # 警告 2025-03-01 runs to 2026-03-01; on 2025-09-01 6 months remain; 严重警告 adds 18 -> 2027-09-01.
    prior = [_record("party_warning", date(2025, 3, 1))]
    assert effect_period(CAT, "party_serious_warning", date(2025, 9, 1), prior) == (
        date(2025, 9, 1),
        date(2027, 9, 1),
    )


def test_accumulation_builds_on_the_latest_running_period():
    first = _record("party_warning", date(2025, 3, 1))
    second_end = effect_period(CAT, "party_serious_warning", date(2025, 9, 1), [first])[1]
    second = SanctionRecord("party_serious_warning", date(2025, 9, 1), second_end, "p1")
    # 2027-09-01 + 12 months.
    assert effect_period(CAT, "party_warning", date(2026, 1, 10), [first, second])[1] == date(2028, 9, 1)


@pytest.mark.parametrize(
    ("prior_type", "prior_date", "new_type", "new_date", "end"),
    [
        ("party_warning", date(2025, 3, 1), "gov_demerit", date(2025, 9, 1), date(2026, 9, 1)),  # other family
        ("gov_warning", date(2025, 3, 1), "party_warning", date(2025, 6, 1), date(2026, 6, 1)),
        ("party_warning", date(2024, 1, 1), "party_warning", date(2025, 9, 1), date(2026, 9, 1)),  # expired
        ("pi_warning", date(2025, 3, 1), "pi_demerit", date(2025, 6, 1), date(2026, 6, 1)),  # not accumulating
    ],
)
def test_no_accumulation_across_families_or_after_expiry(prior_type, prior_date, new_type, new_date, end):
    assert effect_period(CAT, new_type, new_date, [_record(prior_type, prior_date)])[1] == end


def test_gov_periods_do_not_add_up_by_default():
    # 政务处分法第八条: the period runs from the decision; it has no adding-up rule like [T] 21 (第十三条
    # makes a new violation within the period 从重 instead). 警告 on 2025-07-01 -> 2026-01-01.
    prior = [_record("gov_demerit", date(2025, 1, 15))]
    assert effect_period(CAT, "gov_warning", date(2025, 7, 1), prior)[1] == date(2026, 1, 1)


def test_prior_records_of_several_people_are_a_caller_error():
    with pytest.raises(ValueError):
        effect_period(CAT, "party_warning", date(2025, 9, 1), [_record("party_warning", date(2025, 1, 1), "p1"),
                                                               _record("party_warning", date(2025, 2, 1), "p2")])


def test_in_effect_boundaries():
    warning = _record("party_warning", date(2025, 3, 1))  # through 2026-03-01
    expelled = _record("gov_expulsion", date(2020, 5, 6))
    reminded = _record("form1_reminder", date(2025, 3, 1))
    records = [warning, expelled, reminded]
    assert in_effect(records, date(2025, 2, 28)) == (expelled,)
    assert in_effect(records, date(2025, 3, 1)) == (warning, expelled)
    assert in_effect(records, date(2026, 3, 1)) == (warning, expelled)
    assert in_effect(records, date(2026, 3, 2)) == (expelled,)
    assert in_effect(records, date(2020, 5, 5)) == ()


def test_township_approval_powers():
    assert approval_check(CAT, "party_warning") == ()
    assert approval_check(CAT, "party_probation_2y") == ()
    assert approval_check(CAT, "party_expulsion") == ("approval_power_exceeded",)
    assert approval_check(CAT, "party_warning", important_or_complex=True) == ("approval_power_exceeded",)
    # A 政务处分 is the 监察 organ's own decision ([Z] 第八条): it never moves the party case up.
    assert approval_check(CAT, "gov_warning", village_manager=True) == ()
    # [Z] 第二十二条: 基层群众性自治组织中从事管理的人员 — 警告、记过、记大过 only.
    assert approval_check(CAT, "gov_demotion", village_manager=True) == ("not_allowed_for_village_manager",)
    assert set(APPROVER_LABELS) == {t.approver for t in CAT.types.values()}


def test_four_forms_count_person_times():
    decisions = [
        "form1_reminder",
        "form1_admonish",
        "party_warning",
        "gov_major_demerit",
        ("party_warning", "gov_demerit"),  # one person, both decisions: one 人次
        "party_removal",
        ("party_expulsion", "gov_expulsion", "judicial"),  # expelled after sentence: form 4
        "party_expulsion",
    ]
    assert four_forms(CAT, decisions) == {1: 2, 2: 3, 3: 2, 4: 1}
    assert four_forms(CAT, []) == {1: 0, 2: 0, 3: 0, 4: 0}


def _broken(mutate) -> dict:
    data = copy.deepcopy(RAW)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "type_id", "fragment"),
    [
        (lambda d: d["types"].append(dict(d["types"][0])), "party_warning", "重复"),
        (lambda d: d["types"][1].update(form=5), "party_serious_warning", "form 应为 1–4"),
        (lambda d: d["types"][1].update(form=True), "party_serious_warning", "form 应为整数"),
        (lambda d: d["types"][2].update(kind="military"), "party_removal", "military"),
        (lambda d: d["types"][2].update(approver="city"), "party_removal", "city"),
        (lambda d: d["types"][0].update(efect_months=12), "party_warning", "efect_months"),
        (lambda d: d["types"][0].pop("citation"), "party_warning", "citation"),
        (lambda d: d["types"][0].update(id="Party-Warning"), "Party-Warning", "小写字母"),
        (lambda d: d["types"][0].update(permanent=True), "party_warning", "permanent"),
        (lambda d: d["types"][0].update(effect_months=-1), "party_warning", "负数"),
    ],
)
def test_broken_catalog_refused_naming_file_and_id(mutate, type_id, fragment):
    with pytest.raises(DomainError) as caught:
        parse_sanctions(_broken(mutate), "sanctions.toml")
    error = caught.value
    assert error.code == "sanction_catalog_invalid"
    assert "sanctions.toml" in error.message and type_id in error.message and fragment in error.message
    assert error.detail["id"] == type_id


def test_broken_catalog_file_level_problems():
    with pytest.raises(DomainError, match="sanctions.toml.*types"):
        parse_sanctions({"accumulating_kinds": []}, "sanctions.toml")
    with pytest.raises(DomainError, match="sanctions.toml.*accumulating_kinds"):
        parse_sanctions(_broken(lambda d: d.update(accumulating_kinds=["army"])), "sanctions.toml")
