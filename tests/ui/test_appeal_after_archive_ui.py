"""An archived case's view offers what may still come ([R] 第五十九条: 申诉; [M] 第五十六条: 复审), and nothing else."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from tests.integration.test_appeals_by_deciding_body import TO_ARCHIVED, walk


def test_an_archived_case_takes_an_appeal_from_its_view(qtbot, unlocked):
    case_id, _ = walk(unlocked.store, TO_ARCHIVED)
    view = unlocked.main_window.open_case(case_id)
    for decision in ("appeal", "gov_reexamine"):
        button = view.findChild(QPushButton, f"decide_{decision}")
        assert button is not None and button.isEnabled(), decision
    assert view.findChild(QPushButton, "merge_case") is None  # still a finished case otherwise
    assert view.read_only and "受处分人提出申诉或申请复审的，可在下方受理" in view.warning.text()
