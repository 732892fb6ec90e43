"""Full garbage collections wait for a quiet moment (app/ui/quiet_collector.py): while the user
types, only the young generations are collected; a second without input and without a running
task, and the full collection runs."""

from __future__ import annotations

import gc

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from app.ui.quiet_collector import DUE, QuietCollector
from app.ui.tasks import TaskRunner


def test_the_full_collection_waits_until_the_user_pauses(qtbot, qapp):
    runner = TaskRunner()
    full = []

    def seen(phase, info) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(True)

    collector = QuietCollector(qapp, runner)
    gc.callbacks.append(seen)
    try:
        field = QLineEdit()
        qtbot.addWidget(field)
        field.show()
        qtbot.waitExposed(field)
        field.activateWindow()
        qtbot.waitUntil(field.isActiveWindow)
        gc.collect()
        full.clear()
        while gc.get_count()[2] < DUE:  # what makes Python start a full collection by itself
            _garbage = [[[]] for _ in range(1000)]
        assert full == [], "Python started the full collection itself"
        for _ in range(10):  # typing, a key every 200 ms for two seconds
            qtbot.wait(200)
            QTest.keyClick(field.windowHandle(), Qt.Key.Key_A)
        assert full == [] and gc.get_count()[2] >= DUE
        qtbot.waitUntil(lambda: bool(full), timeout=5000)  # the pause
        assert gc.get_count()[2] == 0
    finally:
        gc.callbacks.remove(seen)
        collector.deleteLater()
