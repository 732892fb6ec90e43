"""工作台: every case waiting for this office, most urgent first, and what else to watch; every row opens its case."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.case_models import CountyItemsModel, EffectItemsModel, ShelvedItemsModel, TodoItemsModel
from app.ui.pages.base import DataPage
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import (
    DANGER_STYLE,
    HINT_COLOR,
    WARNING_STYLE,
    banner,
    data_table,
    fit_columns,
    fit_height,
    hint_label,
    scroll_area,
    tint,
)

WEEKDAYS = "一二三四五六日"
MAX_ROWS = 8
TODO_ROWS = 12
NOTHING_WAITING = "没有等待本单位办理的案件。"


def long_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


class Section(QGroupBox):
    """A titled table, or one grey sentence when there is nothing to do."""

    def __init__(self, title: str, model, empty_text: str, widths: dict[int, int], stretch: int, name: str,
                 max_rows: int = MAX_ROWS):
        super().__init__(title)
        self.max_rows = max_rows
        self.base_title = title
        self.model = model
        self.table: QTableView = data_table(model, stretch=stretch, name=name)
        fit_columns(self.table, widths)
        self.empty = hint_label(empty_text)
        self.empty.setObjectName(f"{name}_empty")
        column = QVBoxLayout(self)
        column.addWidget(self.table)
        column.addWidget(self.empty)

    def set_rows(self, rows) -> None:
        self.model.set_rows(list(rows))
        self.setTitle(f"{self.base_title}（{len(rows)}）" if rows else self.base_title)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        fit_height(self.table, self.max_rows)


class HomePage(DataPage):
    LOAD_LABEL = "正在汇总待办事项……"

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.desk = None
        title = QLabel("待办")
        title.setFont(scaled_font(self.font(), 1.4, bold=True))
        self.date_label = QLabel()
        tint(self.date_label, HINT_COLOR)
        refresh = QPushButton("刷新（F5）")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.date_label)
        top.addStretch(1)
        top.addWidget(refresh)

        self.holiday_warning = banner(WARNING_STYLE)
        self.holiday_warning.setObjectName("holiday_warning")
        self.summary = QLabel()
        self.summary.setObjectName("desk_summary")
        self.summary.setWordWrap(True)
        self.overdue_banner = banner(DANGER_STYLE)
        self.overdue_banner.setObjectName("overdue_banner")

        self.todo = Section("等待本单位办理的案件，最急的在前", TodoItemsModel(parent=self),
                            NOTHING_WAITING + "收到新的问题线索时，按 Ctrl+N 登记；全部案件在“案件”中查看。",
                            {0: 11, 1: 10, 2: 15, 4: 6, 5: 11}, 3, "desk_todo", TODO_ROWS)
        self.county = Section("等待县纪委意见", CountyItemsModel(parent=self),
                              "没有等待县纪委审核、沟通或批复的案件。", {0: 12, 1: 9, 2: 22, 3: 10}, 4, "desk_county")
        self.shelved = Section("暂存线索定期清理（30天内到期或已超期）", ShelvedItemsModel(parent=self),
                               "没有需要近期清理的暂存线索。", {0: 12, 1: 9, 2: 7, 3: 8}, 4, "desk_shelved")
        self.effects = Section("处分影响期30天内届满", EffectItemsModel(parent=self),
                               "30天内没有人员的处分影响期届满。", {0: 9, 1: 16, 2: 10, 3: 7, 4: 7}, 5, "desk_effects")
        for section in self.sections():
            section.table.activated.connect(lambda index, s=section: self.open_row(s, index.row()))

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        for widget in (self.holiday_warning, self.overdue_banner, self.summary, *self.sections()):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = scroll_area(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        outer.addWidget(scroll, 1)

    def sections(self) -> tuple[Section, ...]:
        return self.todo, self.county, self.shelved, self.effects

    def fetch(self):
        store = self.ctx.store

        def load():
            from app.services import desk

            return desk.desk(store)

        return load

    def show_data(self, data) -> None:
        self.desk = data
        self.date_label.setText(long_date(data.today))
        if data.missing_holiday_years:
            years = "、".join(str(y) for y in data.missing_holiday_years)
            self.holiday_warning.setText(
                f"缺少 {years} 年的节假日数据：涉及这些年份的期限暂按周一至周五为工作日推算，遇法定节假日可能算早。"
                "请书记/管理员在“设置 → 节假日表”中按国务院办公厅的放假通知录入，或导入县纪委下发的节假日表。")
        self.holiday_warning.setVisible(bool(data.missing_holiday_years))
        overdue = data.overdue
        self.overdue_banner.setText(f"有 {overdue} 件案件的办案期限已经超期。请尽快办理；确需延长的，在案件中点该期限申请延长并录入批准人。"
                                    if overdue else "")
        self.overdue_banner.setVisible(bool(overdue))
        waiting = (f"等待本单位办理 {len(data.todo)} 件（已超期 {overdue} 件，即将到期 {data.due_soon} 件）"
                   if data.todo else NOTHING_WAITING.rstrip("。"))
        self.summary.setText(
            f"{waiting}；等待县纪委意见 {len(data.county)} 件；暂存线索待清理 {len(data.shelved)} 件；"
            f"影响期即将届满 {len(data.effects)} 人。双击一行（或选中后按回车）打开案件。")
        self.summary.setVisible(not data.empty)
        for section, rows in zip(self.sections(), (data.todo, data.county, data.shelved, data.effects)):
            section.set_rows(rows)

    def open_row(self, section: Section, row: int) -> None:
        if 0 <= row < section.model.rowCount():
            self.ctx.sig_open_case.emit(section.model.row_at(row).case_id)

    def row_count(self) -> dict[str, int]:
        return {name: s.model.rowCount() for name, s in zip(("todo", "county", "shelved", "effects"), self.sections())}
