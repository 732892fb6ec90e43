"""The QApplication: Chinese fonts and Qt translations, the wheel guard, and no traceback ever shown to users."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app import APP_NAME
from app.ui import theme, wheel_guard
from app.ui.errors import error_message
from app.ui.prompter import Prompter


def create_application(prompter: Prompter) -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    theme.apply_app_font(app)
    theme.install_translations(app)
    wheel_guard.install(app)

    def report_unexpected(kind, exc, tb) -> None:
        # an exception escaping a slot: one Chinese sentence for the user, the traceback to stderr
        prompter.error(app.activeWindow(), error_message(exc.with_traceback(tb)))

    sys.excepthook = report_unexpected
    return app
