"""A validation message never squeezes its input, and a one-line message moves nothing: the error
line is reserved while empty (app/ui/widgets.py `message_label`, `show_message`)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from ui_support import ADMIN

from app.ui.unlock_window import UnlockWindow
from app.ui.widgets import Form

LONG = ("单位代码只能使用字母、数字和连字符，长度不超过32个字符，例如 LX-HX01；"
        "请检查是否误输入了空格或中文标点符号。") * 3


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def top(widget: QWidget) -> int:
    return widget.mapTo(widget.window(), QPoint(0, 0)).y()


def test_an_error_keeps_the_input_height_and_the_row_below_in_place(qtbot):
    form = Form()
    code = form.add_row("code", "单位代码", QLineEdit(), "只能使用字母、数字和连字符，如 LX-HX01。")
    name = form.add_row("name", "单位名称", QLineEdit())
    qtbot.addWidget(form)
    form.resize(700, 400)
    form.show()
    qtbot.waitExposed(form)
    settle()
    height, below = code.height(), top(name)
    assert height == code.sizeHint().height()

    form.set_error("code", "单位代码只能使用字母、数字和连字符。")
    settle()
    assert form.errors["code"].isVisible()
    assert code.height() == height and top(name) == below

    form.set_error("code", LONG)  # wraps onto more lines: the row grows, its input does not shrink
    settle()
    assert code.height() == height and name.height() == height
    assert form.errors["code"].height() > 2 * form.errors["code"].fontMetrics().lineSpacing()

    form.clear_errors()
    settle()
    assert not form.errors["code"].isVisible()
    assert code.height() == height and top(name) == below


def test_the_unlock_window_keeps_its_fields_when_a_message_comes(qtbot, paths, recovery_code, runner, prompter):
    window = UnlockWindow(paths, runner, prompter)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.load_accounts()
    qtbot.waitExposed(window)
    settle()
    assert window.account.currentText() == ADMIN
    heights = (window.account.height(), window.password.height())
    button = top(window.unlock_button)

    window.form.set_error("password", "请输入密码。")
    settle()
    assert (window.account.height(), window.password.height()) == heights and top(window.unlock_button) == button

    window.show_error(LONG)
    settle()
    assert (window.account.height(), window.password.height()) == heights
    assert window.account.height() == window.account.sizeHint().height()
