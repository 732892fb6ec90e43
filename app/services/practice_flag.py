"""Whether a store is a practice store (练习模式), and the practice room's check of a decision.

Documents made in a practice store carry the 练习 mark and a practice number, and its bundles are
refused. The practice room (services/practice.py) builds on cases and documents; they reach it only
through this module: the room hands its grading of decisions in when it is imported (the CLI and
the GUI import it whenever a practice store is open), and a practice store without it refuses
decisions rather than let them pass ungraded.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from app.errors import AppError
from app.services import ruleset
from app.storage.store import Store

PRACTICE_SETTING = "practice_mode"

_decision_checks: list[Callable] = []  # set by services/practice.py: (store, case_id, action, rules) -> None


def is_practice_in(s: Session) -> bool:
    return ruleset.setting_in(s, PRACTICE_SETTING, False) is True


def handle_decisions(check: Callable) -> None:
    """The practice room's grading of a decision, run before `cases.act` carries one out."""
    _decision_checks[:] = [check]


def check_decision(store: Store, case_id: str, action, rules) -> None:
    if _decision_checks:
        _decision_checks[0](store, case_id, action, rules)
        return
    with store.read() as s:
        if is_practice_in(s):
            raise AppError("practice_not_loaded", "练习模式未能加载评分，本次决定未执行。请重新进入练习模式。")
