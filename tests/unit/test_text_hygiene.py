"""Text hygiene (issue 19 point 10): what every entry keeps of a text, and what it refuses."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from app.domain import text_hygiene as hygiene
from app.errors import InputError

RLO = "\u202e"


def test_a_word_soft_line_break_becomes_a_new_line_in_long_text():
    assert hygiene.scrub("第一行\x0b第二行\x0c第三行\r\n第四行\r第五行", hygiene.LONG) == "第一行\n第二行\n第三行\n第四行\n第五行"


def test_long_text_keeps_new_lines_and_tabs_and_loses_other_controls():
    assert hygiene.scrub("甲\t乙\n丙\x00\x07\x1b\x7f\x85丁\x9f", hygiene.LONG) == "甲\t乙\n丙\n丁"


def test_one_line_text_has_no_line_breaks_or_tabs():
    assert hygiene.scrub(" 青石村\n党支部\t书记\x0b ", hygiene.SHORT) == "青石村 党支部 书记"


def test_a_right_to_left_override_is_removed_from_a_name():
    # "\u202e国建王" prints as 王建国 but is filed under 国建王: the name kept is what is shown
    assert hygiene.scrub(RLO + "国建王", hygiene.NAME) == "国建王"
    for mark in hygiene.BIDI:
        assert hygiene.scrub(f"王{mark}建国", hygiene.NAME) == "王建国"


def test_zero_width_characters_are_removed_from_names_and_numbers():
    for mark in hygiene.ZERO_WIDTH:
        assert hygiene.scrub(f"3201{mark}0219", hygiene.NUMBER) == "32010219"
        assert hygiene.scrub(f"王{mark}建国", hygiene.NAME) == "王建国"


def test_free_text_loses_bidi_controls_and_byte_order_marks_but_keeps_joiners():
    assert hygiene.scrub("\ufeff反映" + RLO + "问题\u200d", hygiene.LONG) == "反映问题\u200d"


def test_text_is_kept_in_nfc():
    assert hygiene.scrub("Cafe\u0301", hygiene.SHORT) == "Caf\u00e9"


def test_a_clean_text_is_unchanged():
    text = "反映青石村党支部书记王建国在2025年\n虚报冒领惠农补贴12,000元。"
    assert hygiene.scrub(text, hygiene.LONG) == text
    assert hygiene.problem(text, hygiene.LONG) is None


@pytest.mark.parametrize("kind", [hygiene.NAME, hygiene.NUMBER, hygiene.SHORT, hygiene.LONG])
def test_every_kind_takes_its_limit_and_refuses_one_more(kind):
    assert hygiene.clean("字" * kind.limit, kind, "测试项") == "字" * kind.limit
    with pytest.raises(InputError) as refused:
        hygiene.clean("字" * (kind.limit + 1), kind, "测试项")
    assert refused.value.exit_code == 2
    assert "测试项" in refused.value.message and f"最多{kind.limit}个字" in refused.value.message


def test_the_limits_fit_what_an_office_writes():
    assert hygiene.LONG.limit >= 5000  # a clue summary of a few thousand characters is normal
    assert hygiene.LONG.limit < 5_000_000
    assert hygiene.NAME.limit >= len("阿卜杜热合曼·买买提艾力") and hygiene.NUMBER.limit >= 18


def test_the_limit_counts_what_is_kept():
    assert hygiene.clean("\u200b" * 100 + "王建国", hygiene.NAME, "姓名") == "王建国"


def test_clean_tree_takes_the_kind_of_the_nearest_key():
    data = {"summary": "甲\x0b乙", "persons": [{"name": RLO + "国建王", "unit": "青石村\n委"}], "categories": ["其他\x00"],
            "real_name": True}
    kinds = {"summary": hygiene.LONG, "name": hygiene.NAME}
    assert hygiene.clean_tree(data, kinds, hygiene.SHORT) == {
        "summary": "甲\n乙", "persons": [{"name": "国建王", "unit": "青石村 委"}], "categories": ["其他"], "real_name": True}


def test_clean_tree_names_the_field_in_its_chinese_words():
    with pytest.raises(InputError) as refused:
        hygiene.clean_tree({"summary": "字" * (hygiene.LONG.limit + 1)}, {"summary": hygiene.LONG}, hygiene.SHORT)
    assert "线索摘要" in refused.value.message


@pytest.mark.parametrize(("text", "kind", "shown"), [
    ("甲\x0b乙", hygiene.LONG, "U+000B"),
    (RLO + "国建王", hygiene.NAME, "U+202E"),
    ("王\u200b建国", hygiene.NAME, "U+200B"),
    ("青石村\n委", hygiene.SHORT, "U+000A"),
    ("甲\r\n乙", hygiene.LONG, "U+000D"),
    ("反映\u2066问题", hygiene.LONG, "U+2066"),
])
def test_a_received_text_with_what_an_entry_removes_is_a_problem(text, kind, shown):
    assert shown in hygiene.problem(text, kind)


def test_a_received_text_too_long_is_a_problem():
    assert "上限50个字" in hygiene.problem("字" * 51, hygiene.NAME)


def test_printable_is_what_an_xlsx_cell_can_hold():
    ws = Workbook().active
    with pytest.raises(IllegalCharacterError):  # the failure `ledger --year` had for the whole year
        ws.cell(row=1, column=1, value="甲\x0b乙")
    ws.cell(row=1, column=1, value=hygiene.printable("甲\x0b乙\x01"))
    assert ws.cell(row=1, column=1).value == "甲\n乙"
    assert hygiene.printable(12) == 12 and hygiene.printable(None) is None


@pytest.mark.parametrize("kind", [hygiene.NAME, hygiene.SHORT, hygiene.LONG], ids=["name", "short", "long"])
def test_problem_fast_path_objects_to_exactly_what_the_full_check_does(kind):
    # `problem` first searches one regex of every objectionable character; for each single
    # character it must agree with the character-by-character check it short-cuts
    for code in [*range(0x0, 0x250), *range(0x2000, 0x2070), 0x061C, 0xFEFF, 0x3000, 0x4E2D]:
        text = f"甲{chr(code)}乙"
        fast = hygiene.problem(text, kind)
        bad = (hygiene._CONTROLS.findall(text) + (hygiene._INVISIBLE if kind.strict else hygiene._BIDI).findall(text)
               + [c for c in text if c in hygiene.LINE_BREAKS or c == "\r"]
               + ([] if kind.multiline else [c for c in text if c in "\n\t"]))
        assert (fast is not None) == bool(bad), (hex(code), fast)


@pytest.mark.parametrize("kind", [hygiene.NAME, hygiene.SHORT, hygiene.LONG], ids=["name", "short", "long"])
def test_scrub_short_cut_for_clean_text_gives_what_the_full_path_gives(kind):
    for code in [*range(0x0, 0x250), *range(0x2000, 0x2070), 0x061C, 0xFEFF, 0x3000, 0x4E2D]:
        text = f" 甲{chr(code)}乙 "
        assert hygiene.scrub(text, kind) == hygiene.scrub_each(text, kind), hex(code)
    assert hygiene.scrub("e\u0301", hygiene.LONG) == "é"  # not NFC: normalised
