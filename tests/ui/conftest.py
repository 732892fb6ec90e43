"""Fixtures for the pytest-qt tests: fast stores on disk, a synchronous runner, a scripted prompter."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.paths import StorePaths, store_paths  # noqa: E402
from app.ui import theme  # noqa: E402
from app.ui.app_controller import AppController  # noqa: E402
from app.ui.tasks import TaskRunner  # noqa: E402
from ui_support import ADMIN, OFFICE_NAME, PASSWORD, FakePrompter, unlock_with  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def styled_app(qapp: QApplication) -> QApplication:
    theme.apply_app_font(qapp)
    theme.install_translations(qapp)
    return qapp


@pytest.fixture
def paths(tmp_path: Path) -> StorePaths:
    return store_paths(tmp_path / "data")


@pytest.fixture
def prompter() -> FakePrompter:
    return FakePrompter()


@pytest.fixture
def runner(styled_app) -> TaskRunner:
    return TaskRunner(sync=True)


@pytest.fixture
def recovery_code(paths: StorePaths) -> str:
    """A township store made by the service directly, with the fast KDF profile."""
    from app.services import setup

    request = setup.SetupRequest("HX-01", OFFICE_NAME, "township", ADMIN, PASSWORD, parent_code="LX", office_abbr="红星",
                                 kdf_profile="fast")
    return setup.create_store(paths, request).recovery_code


@pytest.fixture
def make_controller(paths, runner, prompter):
    made: list[AppController] = []

    def make(idle_ms: int = 600_000, at: StorePaths | None = None) -> AppController:
        controller = AppController(at or paths, runner, prompter, kdf_profile="fast", idle_ms=idle_ms)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.shutdown()
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def unlocked(make_controller, recovery_code):
    """A controller showing the main window, signed in as the administrator."""
    controller = make_controller()
    controller.start()
    assert unlock_with(controller, PASSWORD) is not None
    return controller


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory) -> StorePaths:
    """A township store with realistic cases (tests/ui/desk_support.py), built once per session."""
    from desk_support import build

    return build(tmp_path_factory.mktemp("desk-template") / "data")


@pytest.fixture
def desk_paths(desk_template, tmp_path) -> StorePaths:
    from desk_support import copy_store

    return copy_store(desk_template, tmp_path / "desk")


@pytest.fixture
def desk(make_controller, desk_paths):
    """A controller showing the main window on the case-filled store, signed in as the administrator."""
    controller = make_controller(at=desk_paths)
    controller.start()
    assert unlock_with(controller, PASSWORD) is not None
    return controller
