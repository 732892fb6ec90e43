"""Editors for the typed fields the rules declare (text, date, choice, number, person, bool,
attachment; `multiple`). Each gives its value in the JSON form the workflow engine takes
(`app.domain.workflow.coerce_value`): None when empty, dates as "YYYY-MM-DD", lists when multiple.
Input an editor cannot read (a date like 2026-13-01) is reported by `problem()` next to the field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QPoint, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from app.domain import text_hygiene as hygiene
from app.ui.widgets import FlowLayout

UNSET = "请选择"
YES, NO = "是", "否"
# text fields whose labels name a narrative get several lines; numbers, names and dates get one
LONG_TEXT_WORDS = ("意见", "问题", "情况", "理由", "依据", "说明", "结论", "要点", "分析", "内容", "建议", "事实", "证据",
                   "结果", "批示", "摘要", "措施")
SHORT_TEXT_WORDS = ("文号", "编号", "号码", "日期", "人", "单位")  # "审核意见文号" is a number, not a narrative
DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
LIST_SPLIT = re.compile(r"[\n、，,；;]+")


def parse_date_text(text: str) -> date | None:
    """2026-03-02, 2026/3/2, 2026.3.2, 2026年3月2日 or 20260302; None when blank; ValueError otherwise."""
    if not text.strip():
        return None
    match = DATE_TEXT.match(text) or COMPACT_DATE.match(text)
    if not match:
        raise ValueError(text)
    return date(*(int(g) for g in match.groups()))


def split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(text) if part.strip()]


def is_long_text(field) -> bool:
    label = field.label.split("（")[0]
    return (field.type == "text" and not field.multiple and any(word in label for word in LONG_TEXT_WORDS)
            and not label.endswith(SHORT_TEXT_WORDS))


def text_lines(edit: QPlainTextEdit, lines: int) -> None:
    height = edit.fontMetrics().lineSpacing() * lines + 14
    edit.setFixedHeight(height)
    edit.setTabChangesFocus(True)


class FieldEditor(QWidget):
    """Base: `value()`, `set_value()`, `problem()`; `sig_changed` whenever the user edits."""

    sig_changed = Signal()

    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def problem(self) -> str:
        return ""

    def set_read_only(self, read_only: bool) -> None:
        self.setEnabled(not read_only)


class LineEditor(FieldEditor):
    """One line; `limit` is the service's (app/domain/text_hygiene.py), so typing stops where saving would fail."""

    def __init__(self, field=None, placeholder: str = "", parent: QWidget | None = None, limit: int = hygiene.LONG.limit):
        super().__init__(field, parent)
        self.edit = QLineEdit()
        self.edit.setMaxLength(limit)
        self.edit.setPlaceholderText(placeholder)
        self.edit.textEdited.connect(self.sig_changed)
        self.row.addWidget(self.edit)

    def value(self) -> Any:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class LongTextEditor(FieldEditor):
    """Several lines; `problem()` says so as soon as the text passes the service's limit (a paste can)."""

    def __init__(self, field=None, lines: int = 3, placeholder: str = "", parent: QWidget | None = None,
                 limit: int = hygiene.LONG.limit):
        super().__init__(field, parent)
        self.limit = limit
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(placeholder)
        text_lines(self.edit, lines)
        self.edit.textChanged.connect(self.sig_changed)
        self.row.addWidget(self.edit)

    def value(self) -> Any:
        return self.edit.toPlainText().strip() or None

    def problem(self) -> str:
        length = len(self.edit.toPlainText().strip())
        return f"过长：最多{self.limit}个字，现有{length}个字。" if length > self.limit else ""

    def set_value(self, value: Any) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText("" if value is None else str(value))
        self.edit.blockSignals(False)


class ListEditor(FieldEditor):
    """Several short texts (核查组成员 …): one per line, or separated by 、 or commas."""

    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("多项用顿号“、”或逗号分隔，例如：王建国、李红梅")
        self.edit.textEdited.connect(self.sig_changed)
        self.row.addWidget(self.edit)

    def value(self) -> Any:
        return split_list(self.edit.text()) or None

    def set_value(self, value: Any) -> None:
        items = value if isinstance(value, list | tuple) else [value] if value else []
        self.edit.setText("、".join(str(v) for v in items))


class DateEditor(FieldEditor):
    """A date typed (2026-03-02, 2026/3/2, 2026年3月2日) or picked from a calendar; blank allowed."""

    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("例如 2026-03-02")
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00") * 2 + 24)
        self.edit.textEdited.connect(self.sig_changed)
        self.pick = QToolButton()
        self.pick.setText("日历…")
        self.pick.setToolTip("从日历中选择日期")
        self.calendar: QCalendarWidget | None = None  # built on first use: a case step has several dates
        # opened on click rather than as the button's menu, which would draw a menu arrow in its text
        self.menu = QMenu(self.pick)
        self.menu.aboutToShow.connect(self.sync_calendar)
        self.pick.clicked.connect(lambda: self.menu.popup(self.pick.mapToGlobal(QPoint(0, self.pick.height()))))
        self.today_button = QToolButton()
        self.today_button.setText("今天")
        self.today_button.clicked.connect(lambda: self.picked(QDate.currentDate()))
        self.row.addWidget(self.edit)
        self.row.addWidget(self.pick)
        self.row.addWidget(self.today_button)
        self.row.addStretch(1)

    def sync_calendar(self) -> None:
        if self.calendar is None:
            self.calendar = QCalendarWidget()
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self.picked)
            action = QWidgetAction(self.menu)
            action.setDefaultWidget(self.calendar)
            self.menu.addAction(action)
        try:
            current = parse_date_text(self.edit.text())
        except ValueError:
            current = None
        shown = current or date.today()
        self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))

    def picked(self, qdate: QDate) -> None:
        self.edit.setText(date(qdate.year(), qdate.month(), qdate.day()).isoformat())
        if self.menu.isVisible():
            self.menu.close()
        self.sig_changed.emit()

    def date_value(self) -> date | None:
        """The date, None when blank; ValueError when the text is not a date."""
        return parse_date_text(self.edit.text())

    def value(self) -> Any:
        try:
            d = self.date_value()
        except ValueError:
            return self.edit.text().strip()  # the engine refuses it too, naming the field
        return d.isoformat() if d else None

    def set_value(self, value: Any) -> None:
        self.edit.setText(value.isoformat() if isinstance(value, date) else (value or ""))

    def problem(self) -> str:
        try:
            self.date_value()
        except ValueError:
            return f"“{self.edit.text().strip()}”不是有效日期，请写成 2026-03-02 的形式，或点“日历…”选择。"
        return ""


class ChoiceEditor(FieldEditor):
    def __init__(self, field, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.combo = QComboBox()
        self.combo.addItem(UNSET)
        self.combo.addItems(list(field.choices))
        self.combo.currentIndexChanged.connect(self.sig_changed)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.row.addWidget(self.combo)
        self.row.addStretch(1)

    def value(self) -> Any:
        return None if self.combo.currentIndex() <= 0 else self.combo.currentText()

    def set_value(self, value: Any) -> None:
        index = self.combo.findText(str(value)) if value else 0
        self.combo.setCurrentIndex(max(index, 0))


class MultiChoiceEditor(FieldEditor):
    def __init__(self, field, parent: QWidget | None = None):
        super().__init__(field, parent)
        box = QWidget()
        flow = FlowLayout(box, spacing=10)
        self.boxes: list[QCheckBox] = []
        for choice in field.choices:
            check = QCheckBox(choice)
            check.toggled.connect(self.sig_changed)
            flow.addWidget(check)
            self.boxes.append(check)
        self.row.addWidget(box)

    def value(self) -> Any:
        return [b.text() for b in self.boxes if b.isChecked()] or None

    def set_value(self, value: Any) -> None:
        chosen = set(value if isinstance(value, list | tuple) else [value] if value else [])
        for b in self.boxes:
            b.setChecked(b.text() in chosen)


class NumberEditor(FieldEditor):
    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.edit = QLineEdit()
        validator = QDoubleValidator(0, 1e12, 2)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        self.edit.setValidator(validator)
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("0") * 14 + 16)
        self.edit.textEdited.connect(self.sig_changed)
        self.row.addWidget(self.edit)
        self.row.addStretch(1)

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            return None
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else f"{value:g}" if isinstance(value, float) else str(value))

    def problem(self) -> str:
        value = self.value()
        return "" if value is None or isinstance(value, int | float) else "请填写不小于 0 的数字。"


class BoolEditor(FieldEditor):
    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.combo = QComboBox()
        self.combo.addItems([UNSET, YES, NO])
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(len(UNSET) * 2 + 1)
        self.combo.currentIndexChanged.connect(self.sig_changed)
        self.row.addWidget(self.combo)
        self.row.addStretch(1)

    def value(self) -> Any:
        return {1: True, 2: False}.get(self.combo.currentIndex())

    def set_value(self, value: Any) -> None:
        self.combo.setCurrentIndex({True: 1, False: 2}.get(value, 0) if isinstance(value, bool) else 0)


class PersonEditor(FieldEditor):
    """One person: 姓名 (required), 单位, 职务."""

    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("姓名")
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("单位")
        self.post = QLineEdit()
        self.post.setPlaceholderText("职务")
        for edit, stretch in ((self.name, 1), (self.unit, 2), (self.post, 1)):
            edit.textEdited.connect(self.sig_changed)
            self.row.addWidget(edit, stretch)

    def value(self) -> Any:
        person = {k: e.text().strip() for k, e in (("name", self.name), ("unit", self.unit), ("post", self.post))
                  if e.text().strip()}
        return person or None

    def set_value(self, value: Any) -> None:
        person = value if isinstance(value, dict) else {"name": value} if value else {}
        for key, edit in (("name", self.name), ("unit", self.unit), ("post", self.post)):
            edit.setText(person.get(key, ""))

    def problem(self) -> str:
        value = self.value()
        return "请填写姓名。" if value and not value.get("name") else ""


class PersonListEditor(FieldEditor):
    """Several persons, one per line: 姓名，单位，职务."""

    def __init__(self, field=None, parent: QWidget | None = None):
        super().__init__(field, parent)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText("每行一人：姓名，单位，职务（单位、职务可不填）")
        text_lines(self.edit, 3)
        self.edit.textChanged.connect(self.sig_changed)
        self.row.addWidget(self.edit)

    def value(self) -> Any:
        people = []
        for line in self.edit.toPlainText().splitlines():
            parts = [p.strip() for p in re.split(r"[，,；;]", line)]
            if any(parts):
                people.append({k: v for k, v in zip(("name", "unit", "post"), parts) if v})
        return people or None

    def set_value(self, value: Any) -> None:
        people = value if isinstance(value, list | tuple) else [value] if value else []
        lines = []
        for p in people:
            p = p if isinstance(p, dict) else {"name": str(p)}
            lines.append("，".join(v for v in (p.get("name", ""), p.get("unit", ""), p.get("post", "")) if v))
        self.edit.blockSignals(True)
        self.edit.setPlainText("\n".join(lines))
        self.edit.blockSignals(False)

    def problem(self) -> str:
        return "每行须以姓名开头。" if any(not p.get("name") for p in self.value() or []) else ""


def make_editor(field) -> FieldEditor:
    """The editor for a rules field (app.domain.rules.Field)."""
    if field.type == "date":
        return DateEditor(field)
    if field.type == "choice":
        return MultiChoiceEditor(field) if field.multiple else ChoiceEditor(field)
    if field.type == "number":
        return NumberEditor(field)
    if field.type == "bool":
        return BoolEditor(field)
    if field.type == "person":
        return PersonListEditor(field) if field.multiple else PersonEditor(field)
    if field.multiple:
        return ListEditor(field)
    if field.type == "attachment":
        return LineEditor(field, "材料名称及存放位置（原件另行归档）")
    if is_long_text(field):
        return LongTextEditor(field)
    return LineEditor(field)


def field_label(field) -> str:
    return f"{field.label}{'（必填）' if field.required else ''}"
