"""The Qt binding itself: a release that corrupts Python's reference counts aborts the app at
random later on (PySide6 6.12.0 lost one reference to True per Signal.emit: "bool_dealloc" after a
few hundred emits, from the task runner's one emit per task), so it is refused here at once."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    sig_value = Signal(object)


def test_emitting_signals_keeps_reference_counts(styled_app):
    emitter = Emitter()
    seen = []
    emitter.sig_value.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for value in range(100):
        emitter.sig_value.emit(value)
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert len(seen) == 100
    # a few references may come and go with the interpreter's own work; a leak loses one per emit
    assert all(abs(a - b) < 20 for a, b in zip(after, before)), (before, after)
