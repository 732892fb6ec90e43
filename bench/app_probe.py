"""Bench-only launcher: the app's real GUI entry (`app.__main__.main`) with observers attached from outside.

`python -m bench.app_probe ready --data-dir X` starts the app and, once the unlock window is on
screen with its account list filled (the 解锁 button usable), prints one JSON line and quits.
`python -m bench.app_probe unlock PASSWORD CASES --data-dir X` goes on: puts the password in the
field, presses 解锁 at once, and quits once the main window shows the 案件 page with all CASES
loaded and painted (the page is opened as a lock on the 案件 page leaves it: through the drafts the
controller keeps per account). `typed` instead of `unlock` types the password key by key (which
starts loading the modules unlocking needs, app/ui/preload.py) and presses 解锁 once that loading
is done, as after a person's typing.

The times are `time.monotonic()` (one clock for all processes on Linux); the parent takes its own
reading just before starting this process. `peak_rss_mib` is the process's peak resident memory
when it quits. The observers wrap methods of the real classes; only
modules the entry loads before its first window are imported here, so the start-up is unchanged.
Heavy modules loaded when the unlock window became usable are listed (`heavy`).
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.ui import app_controller, unlock_window
from bench.peak_memory import peak_rss_mib

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "sqlcipher3", "docxtpl", "docx", "openpyxl", "pyrage", "jinja2",
         "app.models", "app.storage.store", "app.storage.engine", "app.ui.main_window", "app.ui.pages")
CASES_PAGE = "案件"

marks: dict[str, object] = {}


def heavy_loaded() -> list[str]:
    return sorted(name for name in HEAVY if name in sys.modules)


def finish() -> None:
    marks["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(marks, ensure_ascii=False), flush=True)
    QApplication.instance().exit(0)


def submit(window) -> None:
    marks["submit"] = time.monotonic()
    window.submit()


def observe_ready(mode: str, password: str) -> None:
    show, on_accounts = unlock_window.UnlockWindow.show, unlock_window.UnlockWindow.on_accounts

    def shown(window) -> None:
        show(window)
        if "shown" not in marks:
            QTimer.singleShot(0, lambda: marks.setdefault("shown", time.monotonic()))

    def accounts(window, names) -> None:
        on_accounts(window, names)
        if "ready" in marks:
            return
        marks["ready"] = time.monotonic()
        marks["heavy"] = heavy_loaded()
        if mode == "ready":
            finish()
            return
        if mode == "unlock":
            window.password.setText(password)
            submit(window)
            return
        from PySide6.QtTest import QTest

        QTest.keyClicks(window.password, password)  # typed: the first keystroke starts the preload
        marks["typed"] = time.monotonic()
        if not window.runner.busy:
            submit(window)
            return
        done = []

        def preloaded() -> None:
            if not done:
                done.append(True)
                marks["preloaded"] = time.monotonic()
                submit(window)

        window.runner.sig_all_done.connect(preloaded)

    unlock_window.UnlockWindow.show = shown
    unlock_window.UnlockWindow.on_accounts = accounts


def observe_unlock(cases: int) -> None:
    from app.storage import kdf

    derive = kdf.derive
    marks["kdf"] = 0.0

    def timed_derive(secret, params):
        started = time.perf_counter()
        try:
            return derive(secret, params)
        finally:
            marks["kdf"] += time.perf_counter() - started

    kdf.derive = timed_derive
    start, on_unlocked = app_controller.AppController.start, app_controller.AppController.on_unlocked

    def started(controller) -> None:
        controller.runner.sig_all_done.connect(lambda: check_page(controller, cases))
        start(controller)

    def unlocked(controller, store, warnings) -> None:
        marks["store_open"] = time.monotonic()
        # as a lock on the 案件 page leaves it: the next window of this account opens there
        controller.drafts[controller.draft_key(store)] = {"page": CASES_PAGE}
        on_unlocked(controller, store, warnings)
        marks["window"] = time.monotonic()

    app_controller.AppController.start = started
    app_controller.AppController.on_unlocked = unlocked


def check_page(controller, cases: int) -> None:
    window = controller.main_window
    if window is None or "listed" in marks:
        return
    page = window.stack.currentWidget()
    model = getattr(page, "model", None)
    if model is None or model.rowCount() != cases:
        return
    QApplication.processEvents()
    page.grab()  # the rows painted, as the user sees them
    marks["listed"] = time.monotonic()
    marks["rows"] = model.rowCount()
    finish()


def main(argv: list[str]) -> int:
    mode = argv[0]
    password, cases, rest = "", 0, argv[1:]
    if mode in ("unlock", "typed"):
        password, cases, rest = argv[1], int(argv[2]), argv[3:]
        observe_unlock(cases)
    observe_ready(mode, password)
    from app.__main__ import main as app_main

    return app_main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
