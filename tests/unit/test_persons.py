"""Integrity archive matching: person keys, repeated reports, flags."""

from datetime import date

import pytest

from app.domain.errors import DomainError
from app.domain.persons import FLAG_LABELS, find_repeats, flags_for, person_key
from app.domain.sanctions import SanctionRecord


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("张 三", "青石镇人民政府"), ("张三", "青石镇人民政府")),
        (("张三\u3000", "青石镇　人民政府"), ("张三", "青石镇人民政府")),  # full-width spaces
        (("张三\u200b", "\ufeff青石镇人民政府"), ("张三", "青石镇人民政府")),  # zero-width characters
        (("李四", "青石镇（财政所）"), ("李四", "青石镇(财政所)")),  # full-width brackets
        (("阿卜杜•热合曼", "Ａ村村委会"), ("阿卜杜·热合曼", "A村村委会")),
    ],
)
def test_variants_of_the_same_name_and_unit_match(a, b):
    assert person_key(*a) == person_key(*b)


def test_same_name_in_another_unit_is_another_person():
    assert person_key("张三", "青石镇人民政府") != person_key("张三", "青石镇财政所")
    # The separator keeps name and unit apart: 张三 at 丰镇 is not 张三丰 at 镇.
    assert person_key("张三", "丰镇") != person_key("张三丰", "镇")


def test_id_number_wins_and_is_uppercased():
    key = person_key("张三", "青石镇人民政府", " 51010219800101123x ")
    assert key == "51010219800101123X"
    assert person_key("张 三", "另一单位", "５１０１０２１９８００１０１１２３Ｘ") == key
    assert person_key("张三", "青石镇人民政府", "  ") == person_key("张三", "青石镇人民政府")


def test_name_required_without_id_number():
    with pytest.raises(DomainError) as caught:
        person_key(" \u3000", "青石镇人民政府")
    assert caught.value.code == "person_name_missing"


def test_find_repeats():
    k1, k2, k3 = person_key("张三", "甲村"), person_key("李四", "乙村"), person_key("王五", "丙村")
    entries = [(k1, "X2026-1"), (k2, "X2026-2"), (k1, "X2026-3"), (k3, "X2026-4"), (k3, "X2026-4"), (k1, "X2026-5")]
    assert find_repeats(entries) == {k1: ("X2026-1", "X2026-3", "X2026-5")}


def test_flags_for_repeat_and_running_sanction():
    me, other = person_key("张三", "甲村"), person_key("李四", "乙村")
    records = [
        SanctionRecord("party_warning", date(2025, 3, 1), date(2026, 3, 1), me),
        SanctionRecord("party_expulsion", date(2025, 3, 1), date(2030, 3, 1), other),
    ]
    flags = flags_for(me, 2, records, date(2026, 3, 1))
    assert flags.flags == ("repeat", "in_effect_period")
    assert flags.in_effect == (records[0],)
    assert flags_for(me, 1, records, date(2026, 3, 2)).flags == ()
    assert all(code in FLAG_LABELS for code in flags.flags)
