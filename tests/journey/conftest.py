"""The journey suite: the real app on a real X server (Xvfb + openbox), driven by real input.

The display starts before any QApplication exists, so Qt picks the xcb platform on it. Run this
suite in its own pytest process (tools/test.sh does): the offscreen suites create their
QApplication on another platform, and one process has only one.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.journey.driver import SHOTS, AppSession, Display, end_application, start_display


HERE = Path(__file__).parent
ENDED_QT: list[int] = []  # the session's exit status, once the display and the QApplication are gone


def pytest_collection_modifyitems(config, items) -> None:
    """Collected together with other suites (a bare `pytest`), the journey tests are skipped:
    whichever suite makes the process's one QApplication first decides its platform for all."""
    if all(HERE in Path(item.path).parents for item in items):
        return
    skip = pytest.mark.skip(reason="the journey suite runs in its own process: pytest tests/journey")
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def display() -> Display:
    shutil.rmtree(SHOTS, ignore_errors=True)  # this run's screens only, for a reviewer to look at
    handle = start_display()
    yield handle
    end_application()
    handle.stop()
    ENDED_QT.append(0)


def pytest_sessionfinish(session, exitstatus) -> None:
    if ENDED_QT:
        ENDED_QT[0] = int(exitstatus)


def pytest_unconfigure(config) -> None:
    """With the QApplication deleted, Python's last garbage collection may still meet Qt wrappers
    and abort the process after every test passed (seen: "bool_dealloc" at exit); the results are
    printed by now, so the process ends here with pytest's own status."""
    if ENDED_QT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ENDED_QT[0])


@pytest.fixture
def app_session(display, tmp_path) -> AppSession:
    """The app on an empty data folder: its first start opens the set-up wizard."""
    session = AppSession(tmp_path / "data")
    yield session
    session.close()
