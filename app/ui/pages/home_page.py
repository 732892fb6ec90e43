"""工作台: what needs doing today and this week; every row opens its case."""

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

from app.ui.case_models import CountyItemsModel, DeadlineItemsModel, EffectItemsModel, ShelvedItemsModel
from app.ui.errors import error_message
from app.ui.pages.base import DataPage
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import (
    DANGER_STYLE,
    WARNING_STYLE,
    banner,
    data_table,
    fit_columns,
    fit_height,
    hint_label,
    scroll_area,
)

WEEKDAYS = "一二三四五六日"
MAX_ROWS = 8


def long_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


class Section(QGroupBox):
    """A titled table, or one grey sentence when there is nothing to do."""

    def __init__(self, title: str, model, empty_text: str, widths: dict[int, int], stretch: int, name: str):
        super().__init__(title)
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
        fit_height(self.table, MAX_ROWS)


class HomePage(DataPage):
    LOAD_LABEL = "正在汇总待办事项……"

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.desk = None
        title = QLabel("今天要办的事")
        title.setFont(scaled_font(self.font(), 1.4, bold=True))
        self.date_label = QLabel()
        self.date_label.setStyleSheet("color: #5f6368;")
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

        self.deadlines = Section("期限提醒：已超期、即将到期和7天内到期", DeadlineItemsModel(parent=self),
                                 "今天和7天内没有到期或超期的办案期限。", {0: 12, 1: 9, 2: 12, 3: 20, 4: 7}, 5, "desk_deadlines")
        self.county = Section("等待县纪委意见", CountyItemsModel(parent=self),
                              "没有等待县纪委审核、沟通或批复的案件。", {0: 12, 1: 9, 2: 22, 3: 10}, 4, "desk_county")
        self.shelved = Section("暂存线索定期清理（30天内到期或已超期）", ShelvedItemsModel(parent=self),
                               "没有需要近期清理的暂存线索。", {0: 12, 1: 9, 2: 7, 3: 8}, 4, "desk_shelved")
        self.effects = Section("处分影响期30天内届满", EffectItemsModel(parent=self),
                               "30天内没有人员的处分影响期届满。", {0: 9, 1: 16, 2: 10, 3: 7, 4: 7}, 5, "desk_effects")
        for section in (self.deadlines, self.county, self.shelved, self.effects):
            section.table.activated.connect(lambda index, s=section: self.open_row(s, index.row()))

        self.first_use = hint_label("")
        self.first_use.setObjectName("desk_first_use")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        for widget in (self.holiday_warning, self.overdue_banner, self.summary, self.first_use, self.deadlines,
                       self.county, self.shelved, self.effects):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = scroll_area(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        outer.addWidget(scroll, 1)

    def fetch(self):
        store = self.ctx.store

        def load(progress, cancelled):
            from app.services import desk

            return desk.desk(store, progress=progress, cancelled=cancelled)

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
        self.overdue_banner.setText(f"有 {overdue} 项办案期限已经超期。请尽快办理；确需延长的，在案件中点该期限申请延长并录入批准人。"
                                    if overdue else "")
        self.overdue_banner.setVisible(bool(overdue))
        soon = sum(d.state != "overdue" for d in data.deadlines)
        self.summary.setText(
            f"7天内（至 {data.week_end.month}月{data.week_end.day}日）到期或即将到期 {soon} 项；"
            f"等待县纪委意见 {len(data.county)} 件；暂存线索待清理 {len(data.shelved)} 件；"
            f"影响期即将届满 {len(data.effects)} 人。双击一行（或选中后按回车）打开案件。")
        self.deadlines.set_rows(data.deadlines)
        self.county.set_rows(data.county)
        self.shelved.set_rows(data.shelved)
        self.effects.set_rows(data.effects)
        self.first_use.setText("目前没有需要提醒的事项。收到新的问题线索时，按 Ctrl+N 登记；全部案件在“案件”中查看。"
                               if data.empty else "")
        self.first_use.setVisible(data.empty)

    def show_error(self, exc: BaseException) -> None:
        if getattr(exc, "code", "") == "cancelled":
            self.stale = True  # shown again, it tries again
            self.first_use.setText(error_message(exc))
            self.first_use.show()
            return
        super().show_error(exc)

    def open_row(self, section: Section, row: int) -> None:
        if 0 <= row < section.model.rowCount():
            self.ctx.sig_open_case.emit(section.model.row_at(row).case_id)

    def row_count(self) -> dict[str, int]:
        return {name: s.model.rowCount() for name, s in
                (("deadlines", self.deadlines), ("county", self.county), ("shelved", self.shelved), ("effects", self.effects))}

