"""Small building blocks shared by the windows: forms with per-field messages, the recovery code,
banners, empty states and a wrapping layout for the case screens."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.ui.prompter import Prompter
from app.ui.theme import monospace_font, scaled_font

ERROR_COLOR = "#b3261e"
HINT_COLOR = "#5f6368"
GROUPS_PER_LINE = 4


def password_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def tint(widget: QWidget, color: str) -> None:
    """The widget's text in `color`, through its palette: a style sheet of its own would give every
    such label a style-sheet style, which makes building a case step about twice as slow."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
    widget.setPalette(palette)


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    tint(label, HINT_COLOR)
    return label


def wrapped_label(text: str) -> QLabel:
    """Plain text that wraps within its column instead of widening it."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def message_label() -> QLabel:
    """A red line for one error sentence; hidden while empty, but its line stays reserved, so a
    message coming or going moves nothing (a longer one wraps onto more lines)."""
    label = QLabel()
    label.setWordWrap(True)
    tint(label, ERROR_COLOR)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.setMinimumHeight(label.fontMetrics().lineSpacing())
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))
    relayout(label)


def relayout(widget: QWidget) -> None:
    """Have the layouts around `widget` measure it again after its height changed. Without this a
    QFormLayout keeps the row's old height-for-width and squeezes the row's input to a sliver."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent.layout() is not None:
            parent.layout().invalidate()
        if parent.isWindow():
            return
        parent = parent.parentWidget()


class Form(QWidget):
    """Rows of label + field, each field with an optional hint and its own error line below it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows = QFormLayout(self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.rows.setVerticalSpacing(10)
        self.errors: dict[str, QLabel] = {}

    def add_row(self, key: str, label: str, field: QWidget, hint: str | None = None) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(field)
        if hint:
            column.addWidget(hint_label(hint))
        error = message_label()
        error.setObjectName(f"error_{key}")
        column.addWidget(error)
        self.errors[key] = error
        self.rows.addRow(label, box)
        return field

    def set_error(self, key: str, text: str) -> None:
        show_message(self.errors[key], text)

    def error(self, key: str) -> str:
        return self.errors[key].text()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_message(label, "")


def code_lines(code: str) -> str:
    groups = code.split("-")
    return "\n".join("  ".join(groups[i : i + GROUPS_PER_LINE]) for i in range(0, len(groups), GROUPS_PER_LINE))


def recovery_text(code: str, office_label: str, now: datetime) -> str:
    return "\n".join([
        f"{APP_NAME} 恢复密钥",
        "",
        f"单位：{office_label}",
        f"生成时间：{now:%Y-%m-%d %H:%M}",
        "",
        "恢复密钥（48位数字，8组）：",
        code,
        "",
        "用途：忘记密码时，在解锁界面点“忘记密码”，输入此恢复密钥即可重设密码。",
        "恢复密钥用过一次即作废，届时会显示新的恢复密钥。",
        "请打印后与电脑分开妥善保管，打印后删除此电子文件。",
        "",
    ])


class RecoveryCodePanel(QWidget):
    """Shows a recovery code once, offers to save it as .txt, and asks for confirmation."""

    sig_confirmed = Signal(bool)

    def __init__(self, prompter: Prompter, parent: QWidget | None = None):
        super().__init__(parent)
        self.prompter = prompter
        self.code = ""
        self.office_label = ""
        self.file_stem = "恢复密钥"
        intro = QLabel(
            "这是本数据库的<b>恢复密钥</b>，只显示这一次。忘记密码时，凭它可以重设密码；"
            "丢失后若又忘记密码，数据将无法打开。请立即抄写，或保存为文本文件后打印，"
            "与电脑分开妥善保管。"
        )
        intro.setWordWrap(True)
        self.code_label = QLabel()
        self.code_label.setObjectName("recovery_code")
        self.code_label.setFont(monospace_font(22, bold=True))
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setStyleSheet(
            "QLabel { background: #fffbe6; border: 1px solid #e0c97a; border-radius: 6px; padding: 16px; }"
        )
        self.save_button = QPushButton("保存为文本文件（用于打印）…")
        self.save_button.clicked.connect(self.save_as_text)
        self.saved_label = hint_label("")
        self.saved_label.hide()
        self.confirm_box = QCheckBox("我已抄写并妥善保管")
        self.confirm_box.setFont(scaled_font(self.font(), 1.1, bold=True))
        self.confirm_box.toggled.connect(self.sig_confirmed)

        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addWidget(self.code_label)
        column.addSpacing(8)
        column.addLayout(save_row)
        column.addWidget(self.saved_label)
        column.addStretch(1)
        column.addWidget(self.confirm_box)

    def set_code(self, code: str, office_label: str, file_stem: str) -> None:
        self.code = code
        self.office_label = office_label
        self.file_stem = file_stem
        self.code_label.setText(code_lines(code))
        self.confirm_box.setChecked(False)
        show_message(self.saved_label, "")

    @property
    def confirmed(self) -> bool:
        return self.confirm_box.isChecked()

    def save_as_text(self) -> None:
        chosen = self.prompter.save_file(self, "保存恢复密钥", f"{self.file_stem}.txt", "文本文件 (*.txt)")
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".txt":
            target = target.with_name(target.name + ".txt")
        try:
            # BOM and CRLF so that every Windows Notepad shows and prints it correctly
            target.write_text(recovery_text(self.code, self.office_label, datetime.now()), encoding="utf-8-sig", newline="\r\n")
        except OSError as exc:
            self.prompter.error(self, f"保存失败：{exc.strerror or exc}。请换一个位置再试。")
            return
        show_message(self.saved_label, f"已保存到：{target}。打印后请删除这个文件。")


# --- shared by the case screens -------------------------------------------------------

EFFECT_MARK = "【影响期内】"
WARNING_STYLE = ("QLabel { background: #fff4e5; color: #7a4100; border: 1px solid #f0c36d; border-radius: 4px;"
                 " padding: 6px 10px; }")
NOTICE_STYLE = ("QLabel { background: #e8f3ec; color: #1e5631; border: 1px solid #9cc8a9; border-radius: 4px;"
                " padding: 6px 10px; }")
DANGER_STYLE = ("QLabel { background: #fdecea; color: #8c1d18; border: 1px solid #f1aeb5; border-radius: 4px;"
                " padding: 6px 10px; }")


def marked_names(names, in_effect) -> str:
    """Reported persons joined with 、, each one inside a sanction's effect period marked."""
    flagged = set(in_effect)
    return "、".join(f"{name}{EFFECT_MARK}" if name in flagged else name for name in names)


def banner(style: str, text: str = "") -> QLabel:
    """A coloured one-paragraph message (warning, notice, danger); hidden while empty."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(bool(text))
    return label


class EmptyState(QWidget):
    """What an empty list says instead: what it means and what to do next, with an optional button."""

    def __init__(self, text: str = "", action_text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tint(self.label, HINT_COLOR)
        self.label.setFont(scaled_font(self.font(), 1.1))
        self.button = QPushButton(action_text)
        self.button.setVisible(bool(action_text))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.label)
        column.addSpacing(8)
        column.addLayout(row)
        column.addStretch(2)

    def set_text(self, text: str, action_text: str = "") -> None:
        self.label.setText(text)
        self.button.setText(action_text)
        self.button.setVisible(bool(action_text))


class FlowLayout(QLayout):
    """Items left to right, wrapping to the next line when the width runs out (deadline chips)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self.items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self.items.append(item)

    def count(self) -> int:
        return len(self.items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self.items[index] if 0 <= index < len(self.items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self.items.pop(index) if 0 <= index < len(self.items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self.arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self.items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        gap = self.spacing()
        for item in self.items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + gap
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()

    def clear(self) -> None:
        while self.items:
            item = self.items.pop()
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()


def scroll_area(content: QWidget) -> QScrollArea:
    """`content` in a frameless scroll area that fits it to the width available."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(content)
    return scroll


def screen_room(widget: QWidget) -> QSize | None:
    """The available size of the screen `widget` (or its parent) is on, in logical pixels."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if widget.parentWidget() is not None and widget.parentWidget().screen() is not None:
        screen = widget.parentWidget().screen()
    return screen.availableGeometry().size() if screen is not None else None


def resize_within_screen(window: QWidget, width: int, height: int) -> None:
    """`window.resize(width, height)`, but never larger than the screen leaves room for (a window
    frame and the task bar included), so at 125 % or 150 % scaling nothing opens off the screen."""
    room = screen_room(window)
    if room is not None:
        width, height = min(width, room.width() - 40), min(height, room.height() - 60)
    window.resize(width, height)


def close_row(dialog: QDialog) -> QHBoxLayout:
    """The bottom row of a dialog that only shows something: 关闭 on the right, the default button."""
    close = QPushButton("关闭")
    close.setDefault(True)
    close.clicked.connect(dialog.accept)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(close)
    return row


class FitScrollArea(QScrollArea):
    """A frameless vertical scroll area for a dialog's body: it asks for the whole height of its
    content, so the dialog opens showing everything where the screen has room, but can shrink
    below it (and scroll) on a small logical screen: 1366×768 at 150 % is 910×512."""

    MIN_LINES = 8

    def __init__(self, content: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(content)
        content.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content grew or shrank: the dialog's layout asks again
        return super().eventFilter(watched, event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        window = self.window()
        if window.property("fitted_to_screen") or window.testAttribute(Qt.WidgetAttribute.WA_Resized):
            return  # sized already, by this or by its own code
        window.setProperty("fitted_to_screen", True)
        # Qt opens a dialog at most 2/3 of the screen high: use the screen's height before scrolling.
        # Lists and wrapped lines report their height only once laid out, so fit again after that.
        self.fit_window()
        QTimer.singleShot(0, self, self.fit_window)

    def fit_window(self) -> None:
        window = self.window()
        wanted = window.sizeHint()
        resize_within_screen(window, max(window.width(), wanted.width()), max(window.height(), wanted.height()))

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        # the height its wrapped lines need at the width the dialog will have (at least its minimum)
        width = max(hint.width(), self.minimumWidth() - bar, self.window().minimumWidth() - 24 - bar,
                    self.width() - bar if self.isVisible() else 0)
        height = content.heightForWidth(width) if content.hasHeightForWidth() else hint.height()
        return QSize(hint.width() + bar, max(height, content.minimumSizeHint().height()))

    def minimumSizeHint(self) -> QSize:
        content = self.widget().minimumSizeHint()
        lines = self.fontMetrics().lineSpacing() * self.MIN_LINES
        return QSize(content.width() + self.verticalScrollBar().sizeHint().width(), min(content.height(), lines))


def data_table(model, *, stretch: int | None = None, name: str = "") -> QTableView:
    """A read-only, row-selecting table over `model`; Enter or a double click emits `activated`."""
    table = QTableView()
    if name:
        table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class ColumnFitter(QObject):
    """Keeps a table's sized columns inside its viewport: when the stretching column would have to
    shrink below a few characters (a narrow window, 125 % or 150 % scaling), the sized columns give
    up width in proportion instead of pushing the table into a horizontal scroll bar. With room
    again they go back to their widths; a width the user drags a column to becomes its width."""

    STRETCH_CHARS = 6  # what the stretching column keeps at least
    MIN_CHARS = 2  # what a sized column keeps at least

    def __init__(self, table: QTableView):
        super().__init__(table)
        self.table = table
        self.widths: dict[int, int] = {}
        self.busy = False
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self.on_resized)

    def em(self) -> int:
        return self.table.fontMetrics().horizontalAdvance("中")

    def stretching(self, column: int) -> bool:
        header = self.table.horizontalHeader()
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
            return True
        last = max((c for c in range(header.count()) if not header.isSectionHidden(c)), default=-1)
        return header.stretchLastSection() and column == last

    def on_resized(self, column: int, _old: int, new: int) -> None:
        if not self.busy and column in self.widths and not self.stretching(column):
            self.widths[column] = new  # the user's choice

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        if header.count() == 0:
            return
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        sized = {c: w for c, w in self.widths.items() if c in shown and not self.stretching(c)}
        fixed = sum(header.sectionSize(c) for c in shown if c not in sized and not self.stretching(c))
        stretch = self.em() * self.STRETCH_CHARS * sum(1 for c in shown if self.stretching(c))
        room = self.table.viewport().width() - fixed - stretch
        wanted = sum(sized.values())
        scale = 1.0 if wanted <= 0 or room >= wanted else max(room, 0) / wanted
        least = self.em() * self.MIN_CHARS + 8
        if header.minimumSectionSize() > least:
            header.setMinimumSectionSize(least)  # the style's minimum fits fewer columns than a narrow screen needs
        self.busy = True
        try:
            for column, width in sized.items():
                target = width if scale >= 1.0 else max(int(width * scale), least)
                if header.sectionSize(column) != target:
                    header.resizeSection(column, target)
        finally:
            self.busy = False


def fit_columns(table: QTableView, widths: dict[int, int]) -> None:
    """Column widths in characters of the table's font, so they scale with DPI and font size; on a
    narrow screen they shrink rather than make the table scroll sideways (ColumnFitter)."""
    em = table.fontMetrics().horizontalAdvance("中")
    fitter = table.findChild(ColumnFitter) or ColumnFitter(table)
    for column, chars in widths.items():
        fitter.widths[column] = em * chars + 16
        table.setColumnWidth(column, em * chars + 16)
    fitter.fit()


def fit_height(table: QTableView, max_rows: int) -> None:
    """As tall as its rows (scroll bar included when one shows), but no taller than `max_rows`.

    Call it after the rows are set: while they all fit, the vertical scroll bar is turned off, or its
    minimum height would make a table of one row as tall as three.
    """
    fits = table.model().rowCount() <= max_rows
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
    table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
    rows = max_rows * table.verticalHeader().defaultSectionSize()
    table.setMaximumHeight(table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth()
                           + table.horizontalScrollBar().sizeHint().height())


def dialog_layout(dialog: QDialog, accept_text: str, widgets: list[QWidget], min_width: int) -> None:
    """The usual form dialog: the widgets in a column, then 「accept_text」 and 取消 buttons."""
    buttons = QDialogButtonBox()
    buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    body = QWidget()
    body_column = QVBoxLayout(body)
    body_column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        body_column.addWidget(widget)
    body_column.addStretch(1)
    column = QVBoxLayout(dialog)
    column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped hints keep their height
    scroll = FitScrollArea(body)  # scrolls only where the screen is too low for it
    column.addWidget(scroll, 1)
    column.addWidget(buttons)
    # on the body, not the dialog: SetMinimumSize would replace the dialog's own minimum width
    room = screen_room(dialog)
    margins = column.contentsMargins()
    width = min(min_width, room.width() - 40) if room is not None else min_width
    scroll.setMinimumWidth(width - margins.left() - margins.right())
