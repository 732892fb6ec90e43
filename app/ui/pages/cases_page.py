"""案件: every case in one list; search as you type, filter, sort; a row opens the case."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.case_models import DUE_FILTERS, CaseColumn, CaseFilter, CaseListModel
from app.ui.errors import error_message
from app.ui.pages.base import DataPage
from app.ui.session import SessionContext
from app.ui.widgets import ERROR_COLOR, EmptyState, data_table, fit_columns, tint

SEARCH_DELAY_MS = 150
ALL = "全部"
REGISTER_PAGE = "登记线索"


class CasesPage(DataPage):
    LOAD_LABEL = "正在载入案件列表……"

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.search = QLineEdit()
        self.search.setObjectName("case_search")
        self.search.setPlaceholderText("搜索：被反映人姓名、单位、线索或立案编号、问题内容（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.on_search_text)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_search)
        self.search_ids: frozenset[str] | None = None
        self.search_message = QLabel()
        tint(self.search_message, ERROR_COLOR)
        self.search_message.hide()
        new_button = QPushButton("登记线索（Ctrl+N）")
        new_button.clicked.connect(lambda: ctx.sig_show_page.emit(REGISTER_PAGE))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(new_button)

        self.stage = QComboBox()
        self.due = QComboBox()
        self.due.addItem(ALL, "")
        for key, label in DUE_FILTERS.items():
            self.due.addItem(label, key)
        self.source = QComboBox()
        self.year = QComboBox()
        for combo in (self.stage, self.due, self.source, self.year):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.apply_filters)
        clear = QPushButton("清除筛选")
        clear.clicked.connect(self.clear_filters)
        self.count = QLabel()
        self.count.setObjectName("case_count")
        filters = QHBoxLayout()
        for text, combo in (("阶段", self.stage), ("期限", self.due), ("来源", self.source), ("年度", self.year)):
            label = QLabel(text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)
            filters.addSpacing(6)
        filters.addWidget(clear)
        filters.addStretch(1)
        filters.addWidget(self.count)

        self.model = CaseListModel(parent=self)
        self.table = data_table(self.model, stretch=CaseColumn.STEP, name="case_table")
        # newest clue first, as the list is loaded; enabling sorting sorts by the indicator at once
        self.table.horizontalHeader().setSortIndicator(CaseColumn.RECEIVED, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        fit_columns(self.table, {CaseColumn.NUMBER: 11, CaseColumn.PERSONS: 9, CaseColumn.SOURCE: 8,
                                 CaseColumn.RECEIVED: 6, CaseColumn.STAGE: 7, CaseColumn.DUE: 6,
                                 CaseColumn.DUE_STATE: 10})
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        self.empty = EmptyState()
        self.empty.button.clicked.connect(self.on_empty_action)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.search_message)
        column.addLayout(filters)
        column.addWidget(self.stack, 1)
        self.fill_combo(self.stage, [])
        self.fill_combo(self.source, [])
        self.fill_combo(self.year, [])

    # --- loading ------------------------------------------------------------------------

    def fetch(self):
        store = self.ctx.store

        def load():
            from app.services import ruleset, search

            rules = ruleset.load(store)
            stages = [(st.id, st.title + ("（旁路）" if st.side else "")) for st in rules.workflow.stages]
            return search.case_list(store, rules=rules), stages

        return load

    def show_data(self, data) -> None:
        rows, stages = data
        self.model.stage_order = {sid: i for i, (sid, _) in enumerate(stages)}
        self.model.set_rows(rows)
        self.fill_combo(self.stage, stages)
        self.fill_combo(self.source, [(s, s) for s in self.model.sources()])
        self.fill_combo(self.year, [(y, f"{y}年") for y in self.model.years()])
        if self.search.text().strip():
            self.apply_search()  # the index may hold new cases
        self.apply_filters()

    @staticmethod
    def fill_combo(combo: QComboBox, items: list[tuple]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL, None)
        for value, text in items:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    # --- search and filters -------------------------------------------------------------

    def on_search_text(self, _text: str) -> None:
        self.search_timer.start()

    def apply_search(self) -> None:
        from app.services import search

        self.search_timer.stop()
        try:
            self.search_ids = search.matching_case_ids(self.ctx.store, self.search.text())
        except Exception as exc:
            self.search_ids = frozenset()
            self.search_message.setText(f"搜索未完成：{error_message(exc)}")
            self.search_message.show()
        else:
            self.search_message.hide()
        self.apply_filters()

    def current_filter(self) -> CaseFilter:
        return CaseFilter(stage=self.stage.currentData() or "", due=self.due.currentData() or "",
                          source=self.source.currentData() or "", year=self.year.currentData(), ids=self.search_ids)

    def apply_filters(self) -> None:
        self.model.set_filter(self.current_filter())
        shown, total = self.model.rowCount(), self.model.total
        filtered = shown != total
        self.count.setText(f"共 {total} 件，显示 {shown} 件" if filtered else f"共 {total} 件")
        if total == 0:
            self.empty.set_text("还没有案件。收到问题线索后，先登记：系统会编号、建立案件，并一步步提示后面的办理环节。",
                                "登记线索（Ctrl+N）")
        elif shown == 0:
            self.empty.set_text("没有符合条件的案件。请换一个搜索词，或清除筛选条件。", "清除搜索和筛选")
        self.stack.setCurrentWidget(self.table if shown else self.empty)

    def clear_filters(self) -> None:
        for combo in (self.stage, self.due, self.source, self.year):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.apply_filters()

    def on_empty_action(self) -> None:
        if self.model.total == 0:
            self.ctx.sig_show_page.emit(REGISTER_PAGE)
            return
        self.search.clear()
        self.apply_search()
        self.clear_filters()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.ctx.sig_open_case.emit(self.model.case_id_at(row))
