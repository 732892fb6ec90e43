"""The clue sources (线索来源) the code itself must tell apart: the two ways a superior commission
passes a complaint down. The full list of sources is the rules' `intake_register.source` choices.

- 上级转办: the county forwards (转送) a complaint that belongs to the township; the township
  registers it and completes 受理 or 转办 within 5 working days of receipt
  (《纪检监察机关处理检举控告工作规则》第十六条第二款).
- 上级交办: the county formally assigns it by letter (发函交办, 第二十条); the township finishes it
  within 3 months as a rule and reports the result (第二十一条).

Stores and bundles from before the split hold only 上级交办 for both; migration 0006 turns the ones
registered from a county transfer into 上级转办 (docs/BUNDLE.md §10).
"""

from __future__ import annotations

TRANSFERRED = "上级转办"
ASSIGNED = "上级交办"
FROM_ABOVE = frozenset({TRANSFERRED, ASSIGNED})

# how the county hands a clue down (its Clue.handling_mode) → the source of the township's clue
TRANSFER_MODES = {"转办": TRANSFERRED, "交办": ASSIGNED}


def passed_down(mode: str, choices: tuple[str, ...]) -> str:
    """The township's source for a clue the county handed down in `mode`. Rules that do not know the
    split yet (a county's own older file) offer only 上级交办, which is then what the clue gets."""
    source = TRANSFER_MODES.get(mode, TRANSFERRED)
    return source if source in choices else ASSIGNED
