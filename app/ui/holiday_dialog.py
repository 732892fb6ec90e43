"""A year's holiday table: shown to everyone, typed in or corrected by an administrator."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.errors import error_message
from app.ui.field_editors import text_lines
from app.ui.session import SessionContext
from app.ui.widgets import FitScrollArea, Form, hint_label, message_label, screen_room, show_message

FIELD_KEYS = {"holidays", "workdays", "year"}


class HolidayDialog(QDialog):
    """`editable` for administrators; `sig_saved(row)` after a year was stored."""

    sig_saved = Signal(object)

    def __init__(self, ctx: SessionContext, year: int | None, *, editable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        from app.services import holidays

        self.ctx = ctx
        self.editable = editable
        self.setWindowTitle("节假日表" if not editable else "录入节假日表")
        self.form = Form()
        self.year = QSpinBox()
        self.year.setRange(*holidays.YEAR_RANGE)
        self.year.setValue(year or date.today().year + 1)
        self.year.setEnabled(editable)
        self.year.valueChanged.connect(self.load_year)
        self.form.add_row("year", "年份", self.year)
        self.holidays = QPlainTextEdit()
        self.holidays.setObjectName("holiday_lines")
        text_lines(self.holidays, 9)
        self.holidays.setReadOnly(not editable)
        self.form.add_row("holidays", "放假日期", self.holidays,
                          "每行一段：2027-01-01 元旦，或 2027-10-01~2027-10-07 国庆节（连续放假的日子，含周末）。")
        self.workdays = QPlainTextEdit()
        self.workdays.setObjectName("workday_lines")
        text_lines(self.workdays, 3)
        self.workdays.setReadOnly(not editable)
        self.form.add_row("workdays", "调休上班日", self.workdays, "每行一个日期（周六或周日），如 2027-02-07。")
        self.source = QLineEdit()
        self.source.setReadOnly(not editable)
        self.source.setPlaceholderText("如：国务院办公厅关于2027年部分节假日安排的通知")
        self.form.add_row("source", "依据", self.source)
        self.message = message_label()
        self.save_button = QPushButton("保存")
        self.save_button.setVisible(editable)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("关闭" if not editable else "取消")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(hint_label(
            "办案期限按工作日计算，须有当年的法定节假日和调休上班日。请照国务院办公厅当年的放假安排通知录入，保存后立即用于计算期限。"
            if editable else "随软件提供的年份来自 chinesecalendar；本单位录入的年份优先使用。"))
        column.addWidget(self.form)
        column.addWidget(self.message)
        column.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(FitScrollArea(body), 1)  # scrolls only on a low screen (1366×768 at 150 % is 910×512)
        outer.addLayout(buttons)
        room = screen_room(self)
        self.setMinimumWidth(min(620, room.width() - 40) if room is not None else 620)
        self.load_year(self.year.value())

    def load_year(self, year: int) -> None:
        from app.services import holidays

        table = holidays.year_table(self.ctx.store, year)
        if table is None:
            self.holidays.setPlainText("")
            self.workdays.setPlainText("")
            self.source.setText("")
            return
        days, work = holidays.entry_text(table)
        self.holidays.setPlainText(days)
        self.workdays.setPlainText(work)
        self.source.setText(table.source)

    def save(self) -> None:
        store = self.ctx.store
        year, days, work, source = self.year.value(), self.holidays.toPlainText(), self.workdays.toPlainText(), self.source.text()
        self.form.clear_errors()
        show_message(self.message, "")

        def run():
            from app.services import holidays

            return holidays.save_year(store, year, days, work, source)

        def failed(exc: BaseException) -> None:
            detail = getattr(exc, "detail", {}) or {}
            field = detail.get("field")
            if field in FIELD_KEYS:
                self.form.set_error(field, error_message(exc))
            else:
                show_message(self.message, error_message(exc))

        def done(row) -> None:
            self.accept()
            self.sig_saved.emit(row)

        self.ctx.runner.run(run, on_done=done, on_error=failed, label="正在保存节假日表……", parent=self)
