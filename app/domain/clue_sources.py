"""The clue sources (线索来源) the code itself must tell apart: the two ways a superior commission
passes a complaint down. The full list of sources is the rules' `intake_register.source` choices.

- 上级转办: the county forwards (转送) a complaint that belongs to the township; the township
  registers it and completes 受理 or 转办 within 5 working days of receipt
  (《纪检监察机关处理检举控告工作规则》第十六条第二款).
- 上级交办: the county formally assigns it by letter (发函交办, 第二十条); the township finishes it
  within 3 months as a rule and reports the result (第二十一条).
- 指定办理 (指定/交叉办理): the county assigns a clue to a township other than the one that would
  normally have it (《中国共产党纪律检查机关监督执纪工作规则》第九条; 《监察法实施条例》(2021) 第四十八条第三款).
  The township registers it as 上级交办: it comes from the county with a written decision
  (《指定管辖决定书》, 实施条例第一百八十三条), and the 指定管辖 and 交办 cases share the rules that
  follow (a revocation goes to the 指定管辖或者交办 office, 第二百零六条第二款), so the 3-month limit
  and the report-back of 交办 apply; the designation is named in the clue's instruction.

Stores and bundles from before the split hold only 上级交办 for both; migration 0006 turns the ones
registered from a county transfer into 上级转办 (docs/BUNDLE.md §10).
"""

from __future__ import annotations

TRANSFERRED = "上级转办"
ASSIGNED = "上级交办"
FROM_ABOVE = frozenset({TRANSFERRED, ASSIGNED})

# how the county hands a clue down (its Clue.handling_mode) → the source of the township's clue
DESIGNATED = "指定办理"
TRANSFER_MODES = {"转办": TRANSFERRED, "交办": ASSIGNED, DESIGNATED: ASSIGNED}


def passed_down(mode: str, choices: tuple[str, ...]) -> str:
    """The township's source for a clue the county handed down in `mode`. Rules that do not know the
    split yet (a county's own older file) offer only 上级交办, which is then what the clue gets."""
    source = TRANSFER_MODES.get(mode, TRANSFERRED)
    return source if source in choices else ASSIGNED


def instruction(mode: str, note: str) -> str:
    """The township clue's 领导批示/交办要求 for a clue handed down in `mode`: a designation says so, with
    what the designated office may not do on its own (实施条例第四十八条第四款)."""
    if mode != DESIGNATED:
        return note
    return (f"上级指定办理：{note}（未经指定机关批准不得再行指定；发现新的问题线索及其他重要情况、重大问题，"
            "及时向指定机关请示报告）")
