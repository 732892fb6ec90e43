"""Choosing the reported persons (被反映人) of a new clue from the integrity archive, or adding new ones.

Typing a name offers matching people already in the archive; choosing one fills in their unit and
post. As soon as a name (with unit or 身份证号) is there, the archive is asked what registering
would mean for that person: reported before (重复件) or inside a sanction's effect period.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets import WARNING_STYLE, banner, relayout, show_message

CATEGORIES = ("村干部", "一般干部", "乡科级", "其他人员")
POLITICAL = ("中共党员", "中共预备党员", "共青团员", "民主党派成员", "群众")
PERSON_KEYS = ("name", "unit", "post", "rank", "category", "political_status", "id_number")
PREVIEW_DELAY_MS = 300
PERSON_ROLE = Qt.ItemDataRole.UserRole


def person_line(person: dict) -> str:
    return "｜".join(person[k] for k in ("name", "unit", "post") if person.get(k))


def warning_text(preview) -> str:
    """The archive's view of a person about to be named in a clue, in one sentence ('' when none)."""
    parts = []
    if preview.clues_before:
        parts.append(f"多次被反映：档案中已有 {preview.clues_before} 件涉及此人的线索，本件将登记为重复件")
    if preview.in_effect:
        until = f"至 {preview.effect_end.isoformat()}" if preview.effect_end else "长期"
        parts.append(f"此人正处于处分影响期内（{until}）")
    return "；".join(parts)


class PersonPicker(QWidget):
    sig_changed = Signal()

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.registry: dict[str, object] = {}
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        self.name = QLineEdit()
        self.name.setObjectName("person_name")
        self.name.setPlaceholderText("输入姓名")
        self.name.setToolTip("输入时会列出人员档案中的同名人员，选中即可带出单位、职务等。")
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("如：青石村村民委员会")
        self.post = QLineEdit()
        self.rank = QLineEdit()
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.addItems(("",) + CATEGORIES)
        self.political = QComboBox()
        self.political.setEditable(True)
        self.political.addItems(("",) + POLITICAL)
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("可不填")
        cells = (("姓名", self.name, "name"), ("单位", self.unit, "unit"), ("职务", self.post, "post"),
                 ("职级", self.rank, "rank"), ("人员类别", self.category, "category"),
                 ("政治面貌", self.political, "political_status"), ("身份证号", self.id_number, "id_number"))
        for index, (label, widget, key) in enumerate(cells):
            row, col = divmod(index, 4)
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, row, col * 2, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(widget, row, col * 2 + 1)
            self.fields[key] = widget
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self.on_input)
            else:
                widget.currentTextChanged.connect(self.on_input)
        for col in (1, 3, 5, 7):
            grid.setColumnStretch(col, 2 if col == 3 else 1)
        self.add_button = QPushButton("添加被反映人")
        self.add_button.setObjectName("add_person")
        self.add_button.clicked.connect(self.add_current)
        grid.addWidget(self.add_button, 1, 7)
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self.choose_known)
        self.name.setCompleter(completer)

        self.preview_label = banner(WARNING_STYLE)
        self.preview_label.setObjectName("person_preview")
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.update_preview)
        self.list = QListWidget()
        self.list.setObjectName("person_list")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.remove_button = QPushButton("移除所选")
        self.remove_button.clicked.connect(self.remove_selected)
        self.list_hint = QLabel("已添加的被反映人：")
        list_row = QHBoxLayout()
        list_row.addWidget(self.list, 1)
        list_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(grid)
        column.addWidget(self.preview_label)
        column.addWidget(self.list_hint)
        column.addLayout(list_row)
        self.update_list_visibility()

    # --- the archive --------------------------------------------------------------------

    def load_registry(self) -> None:
        """Names for the completer: everyone in the archive (a few thousand at most)."""
        from app.services import archive

        rows = archive.list_persons(self.store)
        self.registry = {person_line({"name": r.name, "unit": r.unit, "post": r.post}): r for r in rows}
        self.completer_model.setStringList(list(self.registry))

    def choose_known(self, text: str) -> None:
        row = self.registry.get(text)
        if row is None:
            return
        for key in PERSON_KEYS:
            self.set_field(key, getattr(row, key, "") or "")
        self.update_preview()
        self.sig_changed.emit()

    # --- input --------------------------------------------------------------------------

    def field_text(self, key: str) -> str:
        widget = self.fields[key]
        return (widget.text() if isinstance(widget, QLineEdit) else widget.currentText()).strip()

    def set_field(self, key: str, value: str) -> None:
        widget = self.fields[key]
        widget.blockSignals(True)
        if isinstance(widget, QLineEdit):
            widget.setText(value)
        else:
            widget.setCurrentText(value)
        widget.blockSignals(False)

    def current(self) -> dict:
        return {k: v for k in PERSON_KEYS if (v := self.field_text(k))}

    def set_current(self, person: dict) -> None:
        for key in PERSON_KEYS:
            self.set_field(key, person.get(key, ""))

    def on_input(self, *_args) -> None:
        self.preview_timer.start()
        self.sig_changed.emit()

    def update_preview(self) -> None:
        from app.services import archive

        self.preview_timer.stop()
        person = self.current()
        text = ""
        if person.get("name"):
            try:
                preview = archive.preview(self.store, person)
                namesakes = [] if preview.known else [
                    r for r in archive.find_persons(self.store, person["name"]) if r.name == person["name"]]
            except Exception:  # noqa: BLE001 - a warning that cannot be read (store just locked) is not shown
                return
            text = warning_text(preview)
            if text:
                text = f"{person['name']}：{text}。"
            elif namesakes:
                # typed without the unit (or with another one): point at the people it may be
                described = "；".join(
                    f"{r.name}（{r.unit or '单位未登记'}，{r.clues}件线索" + ("，处分影响期内" if r.in_effect else "") + "）"
                    for r in namesakes[:3])
                text = f"人员档案中有同名人员：{described}。如是同一人，请从姓名下拉列表中选择，以便归入同一档案。"
        show_message(self.preview_label, text)

    def add_current(self) -> bool:
        """Move the typed person into the list; False (with a message) when no name is typed."""
        from app.services import archive

        person = self.current()
        if not person.get("name"):
            show_message(self.preview_label, "请先填写被反映人的姓名，再点“添加被反映人”。")
            self.name.setFocus()
            return False
        if any(p == person for p in self.persons()):
            self.set_current({})
            return True
        warning = warning_text(archive.preview(self.store, person))
        item = QListWidgetItem(person_line(person) + (f"\n　　⚠ {warning}" if warning else ""))
        item.setData(PERSON_ROLE, person)
        if warning:
            item.setForeground(Qt.GlobalColor.darkRed)
            item.setToolTip(warning)
        self.list.addItem(item)
        self.set_current({})
        show_message(self.preview_label, "")
        self.update_list_visibility()
        self.sig_changed.emit()
        return True

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.update_list_visibility()
        self.sig_changed.emit()

    def update_list_visibility(self) -> None:
        has = self.list.count() > 0
        lines = sum(self.list.item(i).text().count("\n") + 1 for i in range(min(self.list.count(), 4)))
        line = self.list.fontMetrics().lineSpacing()
        self.list.setFixedHeight(line * max(lines, 1) + 6 * min(self.list.count(), 4) + 2 * self.list.frameWidth() + 4
                                 if has else 0)
        for widget in (self.list, self.remove_button, self.list_hint):
            widget.setVisible(has)
        relayout(self)

    # --- values -------------------------------------------------------------------------

    def persons(self) -> list[dict]:
        return [self.list.item(i).data(PERSON_ROLE) for i in range(self.list.count())]

    def set_persons(self, people: list[dict]) -> None:
        self.list.clear()
        for person in people:
            self.set_current(person)
            self.add_current()
        self.update_list_visibility()

    def warnings(self) -> list[str]:
        return [self.list.item(i).toolTip() for i in range(self.list.count()) if self.list.item(i).toolTip()]
