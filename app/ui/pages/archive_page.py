"""人员档案: everyone reported, with their clues, cases, sanctions and effect periods."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.case_models import PersonCasesModel, PersonColumn, PersonSanctionsModel, PersonTableModel, effect_text
from app.ui.errors import error_message
from app.ui.pages.base import DataPage
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import ERROR_COLOR, EmptyState, data_table, fit_columns, hint_label, tint

FILTERS = (("", "全部人员"), ("repeat", "多次被反映"), ("effect", "处分影响期内"))
FILTER_DELAY_MS = 120
EMPTY_TEXT = ("人员档案还是空的。登记线索时填写的被反映人会自动收入档案；"
              "此后再被反映或处于处分影响期内，登记和办理时都会提示。")


class ArchivePage(DataPage):
    LOAD_LABEL = "正在载入人员档案……"

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.all_rows: list = []
        self.search = QLineEdit()
        self.search.setObjectName("person_search")
        self.search.setPlaceholderText("按姓名或单位查找")
        self.search.setClearButtonEnabled(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(FILTER_DELAY_MS)
        self.timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self.timer.start())
        self.kind = QComboBox()
        for key, text in FILTERS:
            self.kind.addItem(text, key)
        self.kind.currentIndexChanged.connect(self.apply_filter)
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind)
        top.addWidget(self.count)
        self.import_button = QPushButton("导入人员名单…")
        self.import_button.setToolTip("从村（社区）干部花名册等表格导入人员档案")
        self.import_button.clicked.connect(self.open_import)
        top.addWidget(self.import_button)

        self.model = PersonTableModel(parent=self)
        self.table = data_table(self.model, stretch=PersonColumn.UNIT, name="person_table")
        fit_columns(self.table, {PersonColumn.NAME: 9, PersonColumn.POST: 6, PersonColumn.CATEGORY: 4,
                                 PersonColumn.CLUES: 3, PersonColumn.FILED: 3, PersonColumn.SANCTIONS: 3,
                                 PersonColumn.EFFECT: 12})
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self.show_person(current.row()))
        self.empty = EmptyState(EMPTY_TEXT, "登记线索（Ctrl+N）")
        self.empty.button.clicked.connect(self.on_empty_action)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        self.person_title = QLabel("在左侧选择一个人，查看其线索、案件、处分和影响期。")
        self.person_title.setObjectName("person_title")
        self.person_title.setWordWrap(True)
        self.person_title.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.person_info = hint_label("")
        self.person_flags = QLabel()
        self.person_flags.setWordWrap(True)
        tint(self.person_flags, ERROR_COLOR)
        self.cases_model = PersonCasesModel(parent=self)
        self.cases_table = data_table(self.cases_model, stretch=3, name="person_cases")
        fit_columns(self.cases_table, {0: 10, 1: 6, 2: 7})
        self.cases_table.activated.connect(self.open_case_row)
        self.sanctions_model = PersonSanctionsModel(parent=self)
        self.sanctions_table = data_table(self.sanctions_model, stretch=4, name="person_sanctions")
        fit_columns(self.sanctions_table, {0: 10, 1: 6, 2: 6, 3: 5})
        self.sanctions_table.activated.connect(self.open_sanction_row)
        cases_box = QGroupBox("线索和案件（双击打开案件）")
        QVBoxLayout(cases_box).addWidget(self.cases_table)
        sanctions_box = QGroupBox("处分和处理")
        QVBoxLayout(sanctions_box).addWidget(self.sanctions_table)
        detail = QWidget()
        detail_column = QVBoxLayout(detail)
        detail_column.setContentsMargins(8, 0, 0, 0)
        detail_column.addWidget(self.person_title)
        detail_column.addWidget(self.person_info)
        detail_column.addWidget(self.person_flags)
        detail_column.addWidget(cases_box, 3)
        detail_column.addWidget(sanctions_box, 2)
        self.detail = detail

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addLayout(top)
        left_column.addWidget(self.list_stack, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        splitter.splitterMoved.connect(lambda *_args: splitter.setProperty("moved", True))
        self.splitter = splitter
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(splitter)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.split_evenly()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.split_evenly()

    def split_evenly(self) -> None:
        """Half for the list, half for the person, until the user moves the divider."""
        width = self.width()
        if width and not self.splitter.property("moved"):
            self.splitter.setSizes([width // 2, width - width // 2])

    def fetch(self):
        store = self.ctx.store

        def load():
            from app.services import archive

            return archive.list_persons(store)

        return load

    def show_data(self, rows) -> None:
        self.all_rows = rows
        self.apply_filter()

    def apply_filter(self) -> None:
        self.timer.stop()
        typed = self.search.text().strip()
        kind = self.kind.currentData()
        rows = [r for r in self.all_rows
                if (not typed or typed in r.name or typed in r.unit)
                and (kind != "repeat" or r.clues > 1) and (kind != "effect" or r.in_effect)]
        selected = self.selected_id()
        self.model.set_rows(rows)
        self.count.setText(f"共 {len(self.all_rows)} 人" + (f"，显示 {len(rows)} 人" if len(rows) != len(self.all_rows) else ""))
        if not self.all_rows:
            self.empty.set_text(EMPTY_TEXT, "登记线索（Ctrl+N）")
        elif not rows:
            self.empty.set_text("没有符合条件的人员。请换一个姓名或单位，或选择“全部人员”。", "显示全部人员")
        self.list_stack.setCurrentWidget(self.table if rows else self.empty)
        index = next((i for i, r in enumerate(rows) if r.person_id == selected), 0 if rows else -1)
        if index >= 0:
            self.table.selectRow(index)
            self.show_person(index)
        else:
            self.clear_person()

    def on_empty_action(self) -> None:
        if not self.all_rows:
            self.ctx.sig_show_page.emit("登记线索")
            return
        self.search.clear()
        self.kind.setCurrentIndex(0)
        self.apply_filter()

    def selected_id(self) -> str | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row).person_id if 0 <= row < self.model.rowCount() else None

    def clear_person(self) -> None:
        self.person_title.setText("在左侧选择一个人，查看其线索、案件、处分和影响期。")
        self.person_info.setText("")
        self.person_flags.setText("")
        self.cases_model.set_rows([])
        self.sanctions_model.set_rows([])

    def show_person(self, row: int) -> None:
        from app.services import archive

        if not 0 <= row < self.model.rowCount():
            return
        person_id = self.model.row_at(row).person_id
        try:
            detail = archive.person_detail(self.ctx.store, person_id)
        except Exception as exc:
            self.person_flags.setText(error_message(exc))
            return
        p = detail.row
        self.person_title.setText(p.name + ("【影响期内】" if p.in_effect else ""))
        self.person_info.setText("，".join(x for x in (p.unit, p.post, p.rank, p.category, p.political_status) if x)
                                 or "单位、职务未登记")
        flags = list(detail.labels)
        if p.in_effect:
            flags[flags.index("处分影响期内")] = effect_text(True, p.effect_end).replace("影响期内", "处分影响期内")
        self.person_flags.setText("⚠ " + "；".join(flags) if flags else "")
        self.cases_model.set_rows(list(detail.cases))
        self.sanctions_model.set_rows(list(detail.sanctions))

    def open_import(self):
        from app.ui.import_wizard import ROSTER, ImportWizard

        wizard = ImportWizard(self.ctx, ROSTER, self)
        wizard.finished.connect(wizard.deleteLater)
        wizard.open()
        return wizard

    def open_case_row(self, index) -> None:
        self.ctx.sig_open_case.emit(self.cases_model.row_at(index.row()).case_id)

    def open_sanction_row(self, index) -> None:
        self.ctx.sig_open_case.emit(self.sanctions_model.row_at(index.row()).case_id)
