"""统计: indicator cards and charts for a period; a county's townships, a city's counties and townships.

Every figure comes from `app.services.statistics.report` (the same numbers as `report --json`),
computed off the GUI thread. Counting rules: docs/STATISTICS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QAbstractTableModel, QDate, QMargins, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import statistics as stats
from app.errors import AppError
from app.ui.errors import error_message
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import ERROR_COLOR, HINT_COLOR, hint_label, scroll_area, tint

SPANS = ("全年", "上半年", "下半年", "第一季度", "第二季度", "第三季度", "第四季度", "自定义")
CUSTOM = len(SPANS) - 1
CARD_KEYS = ("clues_received", "clues_disposed", "talk_inquiry", "verifications", "filings", "filings_self",
             "cases_closed", "people_sanctioned", "people_sanctioned_party", "people_sanctioned_gov", "transferred_judicial",
             "overdue")
SHORT = {
    "clues_received": "收到线索", "clues_self_discovered": "自主发现", "clues_disposed": "处置线索", "talk_inquiry": "谈话函询", "verifications": "初步核实",
    "filings": "立案", "filings_self": "自办立案", "cases_closed": "结案", "people_sanctioned": "处分人数",
    "people_sanctioned_party": "党纪处分",
    "people_sanctioned_gov": "政务处分", "form1": "第一种形态", "form2": "第二种形态", "form3": "第三种形态",
    "form4": "第四种形态", "transferred_judicial": "移送司法", "overdue": "期末超期",
}
ROLLUP_HEADERS = {"townships_total": "乡镇\n总数", "townships_with_verification": "有初核\n乡镇",
                  "townships_with_filing": "有自办\n立案乡镇", "townships_with_filing_pct": "有自办立案\n乡镇占比%"}
RATIO_HEADERS = {"filing_rate_pct": "成案率\n%", "self_discovered_pct": "自主发现\n占比%"}
SHARE_HEADERS = {"clues_received": "线索占\n全县%", "verifications": "初核占\n全县%", "filings": "立案占\n全县%",
                 "filings_self": "自办立案\n占全县%", "people_sanctioned": "处分人数\n占全县%"}
NOT_APPLICABLE = "—"
UNITS = {"clues_received": "件次", "clues_self_discovered": "件次", "talk_inquiry": "件次", "people_sanctioned": "人", "people_sanctioned_party": "人", "people_sanctioned_gov": "人",
         "form1": "人次", "form2": "人次", "form3": "人次", "form4": "人次", "overdue": "项"}
FUNNEL_LABELS = {"clues_received": "收到线索", "clues_disposed": "处置线索", "verifications": "初步核实",
                 "filings": "立案", "cases_closed": "结案"}
COLORS = ("#1a5fb4", "#e5a50a", "#2ec27e", "#c01c28", "#813d9c", "#865e3c", "#26a269", "#99c1f1")
ZERO_BACKGROUND = QColor("#fbe3e1")
CARD_STYLE = ("QFrame#card { background: #ffffff; border: 1px solid #d9dde3; border-radius: 6px; }"
              "QFrame#card[alert=\"true\"] { border-color: #e0a19b; background: #fff5f4; }")
CHART_HEIGHT = 270
AXIS_INTERVALS = 4
ROW_HEIGHT = 30
EMPTY_TEXT = {
    "township": "本期没有数据。登记线索并逐环节办理后，这里按各项决定的日期统计；也可以换一个统计期间。",
    "county": "本期没有数据。请先导入各乡镇报送的数据包（乡镇须先在本乡镇导出），再换到相应的统计期间查看。",
    "city": "本期没有数据。请先导入各县报送的统计数据包（各县导出给市纪委时自动生成上报统计）。",
}
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
NO_PARENT = QModelIndex()
OWN_LINE_KEYS = ("clues_received", "clues_disposed", "verifications", "filings", "cases_closed", "people_sanctioned_party")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    tip: str
    numeric: bool = True


def two_lines(label: str) -> str:
    """Narrow table headers: 收到线索 -> 收到/线索, 第一种形态 -> 第一种/形态."""
    if label.endswith("形态"):
        return label[:-2] + "\n形态"
    return f"{label[:2]}\n{label[2:]}" if len(label) == 4 else label


def indicator_columns() -> list[Column]:
    return [*(Column(k, two_lines(SHORT[k]), stats.INDICATOR_LABELS[k]) for k in stats.INDICATOR_KEYS),
            *(Column(k, RATIO_HEADERS[k], label) for k, label in stats.RATIOS)]


def share_columns(county_word: str) -> list[Column]:
    return [Column(f"share_{k}", SHARE_HEADERS[k].replace("全县", county_word), label.replace("全县", county_word))
            for k, label in stats.SHARES]


def township_columns(with_parent: bool) -> list[Column]:
    head = [Column("rank", "排名", "按立案、自办立案、初步核实数排名"), Column("name", "单位", "单位名称", False),
            Column("code", "代码", "单位代码", False)]
    if with_parent:
        head.append(Column("parent", "所属县", "上级单位代码", False))
    # a city's townships are shares of their own county, as the county reports them
    return head + indicator_columns() + share_columns("本县" if with_parent else "全县")


def county_columns() -> list[Column]:
    return [Column("rank", "排名", "按有自办立案乡镇占比、立案数排名"), Column("name", "单位", "单位名称", False),
            Column("code", "代码", "单位代码", False),
            *(Column(k, ROLLUP_HEADERS[k], label) for k, label in stats.ROLLUP),
            Column("zero_count", "零立案\n乡镇", "没有自办立案的乡镇数"),
            *(Column(k, two_lines(SHORT[k]), f"所辖乡镇合计：{stats.INDICATOR_LABELS[k]}") for k in stats.INDICATOR_KEYS),
            *(Column(k, RATIO_HEADERS[k], f"所辖乡镇合计：{label}") for k, label in stats.RATIOS)]


class OfficeTableModel(QAbstractTableModel):
    """Rows of offices; display text, numbers for sorting, 零立案 rows tinted."""

    SORT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tip
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        value = row.get(column.key, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return NOT_APPLICABLE if value is None else str(value)
        if role == self.SORT_ROLE:
            return -1 if value is None else value  # a ratio with nothing to divide sorts below 0%
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row.get("zero"):
            return QBrush(ZERO_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get("tip") or None
        return None


def office_table(model: OfficeTableModel, name: str) -> QTableView:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(OfficeTableModel.SORT_ROLE)
    table = QTableView()
    table.setObjectName(name)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    return table


# --- cards and charts -------------------------------------------------------------------------


class Card(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet(CARD_STYLE)
        self.value = QLabel("—")
        self.value.setFont(scaled_font(self.font(), 1.9, bold=True))
        self.caption = QLabel(caption)
        tint(self.caption, HINT_COLOR)
        self.caption.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 6, 12, 8)
        column.setSpacing(0)
        column.addWidget(self.value)
        column.addWidget(self.caption)

    def set_value(self, text: str, *, alert: bool = False) -> None:
        self.value.setText(text)
        self.setProperty("alert", "true" if alert else "false")
        self.style().unpolish(self)
        self.style().polish(self)


def integer_axis(top_value: int, *, headroom: bool) -> QValueAxis:
    """A value axis from 0 with ticks on whole numbers; `headroom` leaves room above the longest bar for its label."""
    top = max(1, top_value + 1, math.ceil(top_value * 1.15)) if headroom else max(1, top_value)
    # at most four intervals: denser tick labels do not fit a chart this high and are elided to "…"
    step = math.ceil(top / AXIS_INTERVALS)
    top = math.ceil(top / step) * step
    axis = QValueAxis()
    axis.setRange(0, top)
    axis.setTickCount(top // step + 1)
    axis.setLabelFormat("%d")
    return axis


class ChartBox(QFrame):
    """A titled chart, or a sentence when the period has nothing to draw."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(CHART_HEIGHT)
        self.title = QLabel(title)
        self.title.setFont(scaled_font(self.font(), 1.05, bold=True))
        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.empty = QLabel("本期没有数据")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tint(self.empty, HINT_COLOR)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.addWidget(self.title)
        column.addWidget(self.stack, 1)

    @property
    def showing_chart(self) -> bool:
        return self.stack.currentWidget() is self.view

    def show_chart(self, chart: QChart | None) -> None:
        if chart is None:
            self.stack.setCurrentWidget(self.empty)
            return
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.stack.setCurrentWidget(self.view)

    def base_chart(self) -> QChart:
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.legend().setFont(self.font())
        return chart

    def bars(self, categories: list[str], series: list[tuple[str, list[int]]], *, horizontal: bool = False,
             labels: bool = True) -> None:
        if not categories or not any(v for _, values in series for v in values):
            self.show_chart(None)
            return
        # a category label needs about ROW_HEIGHT pixels, else QtCharts elides them all to "…"
        self.setMinimumHeight(max(CHART_HEIGHT, 110 + ROW_HEIGHT * len(categories)) if horizontal else CHART_HEIGHT)
        chart = self.base_chart()
        bars = QHorizontalBarSeries() if horizontal else QBarSeries()
        for i, (name, values) in enumerate(series):
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in values])
            bar_set.setColor(QColor(COLORS[i % len(COLORS)]))
            bar_set.setLabelColor(QColor("#202124"))
            bars.append(bar_set)
        bars.setLabelsVisible(labels)
        bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelsFormat("@value")
        chart.addSeries(bars)
        category_axis = QBarCategoryAxis()
        category_axis.append(categories)
        category_axis.setLabelsFont(self.font())
        value_axis = integer_axis(max(v for _, values in series for v in values), headroom=labels)
        value_axis.setLabelsFont(self.font())
        category_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom) if horizontal
                                     else (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
        chart.addAxis(category_axis, category_side)
        chart.addAxis(value_axis, value_side)
        bars.attachAxis(category_axis)
        bars.attachAxis(value_axis)
        chart.legend().setVisible(len(series) > 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.show_chart(chart)

    def pie(self, values: dict[str, int]) -> None:
        total = sum(values.values())
        if not total:
            self.show_chart(None)
            return
        chart = self.base_chart()
        series = QPieSeries()
        series.setHoleSize(0.4)
        for i, (label, n) in enumerate(values.items()):
            pie_slice = series.append(f"{label} {n}（{stats.percent_half_up(n, total)}%）", n)
            pie_slice.setColor(QColor(COLORS[i % len(COLORS)]))
        chart.addSeries(series)
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignRight)
        # without a minimum the legend is squeezed and its texts cut off
        metrics = QFontMetrics(legend.font())
        legend.setMinimumWidth(max(metrics.horizontalAdvance(s.label()) for s in series.slices()) + 3 * metrics.height())
        self.show_chart(chart)


class Overview(QWidget):
    """Cards and charts over one set of indicators (a township, or the townships of a county or city)."""

    def __init__(self, level: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.level = level
        self.scope = QLabel()
        self.scope.setFont(scaled_font(self.font(), 1.1, bold=True))
        self.own_line = hint_label("")
        self.own_line.setObjectName("own_line")
        self.own_line.hide()
        self.empty = QLabel(EMPTY_TEXT[level])
        self.empty.setObjectName("empty_state")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("QLabel { background: #fffbe6; border: 1px solid #e0c97a; border-radius: 6px;"
                                 " padding: 10px; }")
        self.empty.hide()
        self.cards: dict[str, Card] = {}
        grid = QGridLayout()
        grid.setSpacing(8)
        keys = [*CARD_KEYS, *stats.RATIO_LABELS]
        if level != "township":
            keys = ["townships_total", "townships_with_filing", "zero_filing", *keys]
        captions = {"townships_total": "乡镇总数", "townships_with_filing": "有自办立案的乡镇",
                    "zero_filing": "零立案乡镇（无自办立案）", **stats.RATIO_LABELS}
        per_row = 6 if level != "township" else 7
        for i, key in enumerate(keys):
            caption = captions.get(key) or stats.INDICATOR_LABELS[key]
            card = Card(caption)
            self.cards[key] = card
            grid.addWidget(card, i // per_row, i % per_row)
        self.charts = {
            "source": ChartBox("线索来源（件次）"),
            "disposition": ChartBox("处置方式（件）"),
            "forms": ChartBox("四种形态（人次）"),
            "funnel": ChartBox("办理环节（件）"),
            "subjects": ChartBox(dict(stats.BREAKDOWNS)["filings_by_subject"]),
            "monthly": ChartBox("月度趋势"),
        }
        charts = QGridLayout()
        charts.setSpacing(8)
        # six grid columns: three charts in the first row, two in the second, and the twelve months
        # across the whole width (narrower, QtCharts elides their labels to "…")
        charts.addWidget(self.charts["source"], 0, 0, 1, 2)
        charts.addWidget(self.charts["disposition"], 0, 2, 1, 2)
        charts.addWidget(self.charts["forms"], 0, 4, 1, 2)
        charts.addWidget(self.charts["funnel"], 1, 0, 1, 3)
        charts.addWidget(self.charts["subjects"], 1, 3, 1, 3)
        charts.addWidget(self.charts["monthly"], 2, 0, 1, 6)
        for col in range(6):
            charts.setColumnStretch(col, 1)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(self.scope)
        column.addWidget(self.own_line)
        column.addWidget(self.empty)
        column.addLayout(grid)
        column.addSpacing(6)
        column.addLayout(charts)
        column.addStretch(1)
        scroll = scroll_area(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def show_indicators(self, scope: str, ind: dict, rollup: dict | None, has_data: bool) -> None:
        self.scope.setText(scope)
        self.empty.setVisible(not has_data)
        for key in CARD_KEYS:
            unit = UNITS.get(key, "件")
            self.cards[key].set_value(f"{ind.get(key, 0)} {unit}", alert=key == "overdue" and ind.get(key, 0) > 0)
        for key in stats.RATIO_LABELS:
            value = ind.get(key)
            self.cards[key].set_value(NOT_APPLICABLE if value is None else f"{value}%")
        if rollup is not None:
            total = rollup["townships_total"]
            zero = len(rollup["zero_filing_townships"])
            self.cards["townships_total"].set_value(f"{total} 个")
            self.cards["townships_with_filing"].set_value(
                f"{rollup['townships_with_filing']} 个（{rollup['townships_with_filing_pct']}%）")
            self.cards["zero_filing"].set_value(f"{zero} 个", alert=zero > 0)
        b = ind.get("breakdowns") or {}
        source = b.get("by_source") or {}
        self.charts["source"].bars(list(source)[::-1], [("线索", list(source.values())[::-1])], horizontal=True)
        self.charts["disposition"].pie(b.get("by_disposition") or {})
        self.charts["forms"].bars(["第一种", "第二种", "第三种", "第四种"], [("人次", [ind.get(f"form{i}", 0) for i in range(1, 5)])])
        subjects = b.get("filings_by_subject") or {}
        self.charts["subjects"].bars(list(stats.SUBJECT_GROUP_NAMES),
                                     [("件", [subjects.get(k, 0) for k in stats.SUBJECT_GROUP_NAMES])])
        funnel = list(FUNNEL_LABELS)[::-1]
        self.charts["funnel"].bars([FUNNEL_LABELS[k] for k in funnel], [("件", [ind.get(k, 0) for k in funnel])],
                                   horizontal=True)
        monthly = b.get("monthly") or {}
        months = [f"{int(m[5:])}月" for m in monthly]  # a period lies within one year
        self.charts["monthly"].bars(months, [(label, [v.get(k, 0) for v in monthly.values()])
                                             for k, label in stats.MONTHLY_SERIES], labels=False)

    def show_own_line(self, text: str) -> None:
        self.own_line.setText(text)
        self.own_line.setVisible(bool(text))


# --- the page --------------------------------------------------------------------------------


class StatisticsPage(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        office = ctx.store.office
        self.level = office.level
        self.report: dict | None = None
        self.request = 0
        self.loaded = False
        today = date.today()

        self.year = QSpinBox()
        self.year.setRange(2000, today.year)
        self.year.setValue(today.year)
        self.year.setSuffix(" 年")
        self.span = QComboBox()
        self.span.addItems(SPANS)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.hide()
        self.to_label = QLabel("至")
        self.to_label.hide()
        self.reset_custom_dates()
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        self.snapshot_button = QPushButton("生成上报统计…")
        self.snapshot_button.setToolTip("按所选年度的全年、上下半年和四个季度，生成报送市纪委的统计，便于导出前核对；"
                                        "导出给市纪委时也会按当时的数据自动生成")
        self.snapshot_button.clicked.connect(self.make_snapshots)
        self.snapshot_button.setVisible(self.level == "county")
        self.export_button = QPushButton("导出报表…")
        self.export_button.clicked.connect(self.export_report)
        self.ledger_button = QPushButton("导出台账…")
        self.ledger_button.setToolTip("导出本单位所选年度收到的问题线索台账（Excel）")
        self.ledger_button.clicked.connect(self.export_ledger)
        self.ledger_button.setVisible(self.level != "city")
        self.filing_button = QPushButton("处分备案汇总…")
        self.filing_button.setToolTip("导出所选年度某一季度的党纪处分备案汇总表，每季度首月15日前报乡镇党委"
                                      "（处分违纪党员批准权限和程序规定第十九条、第二十条）")
        self.filing_button.clicked.connect(self.export_filing_summary)
        self.filing_button.setVisible(self.level == "township")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计期间"))
        bar.addWidget(self.year)
        bar.addWidget(self.span)
        bar.addWidget(self.date_from)
        bar.addWidget(self.to_label)
        bar.addWidget(self.date_to)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.snapshot_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.ledger_button)
        bar.addWidget(self.filing_button)
        self.status = hint_label("")
        self.status.setObjectName("period_status")
        self.message = QLabel()
        self.message.setWordWrap(True)
        tint(self.message, ERROR_COLOR)
        self.message.hide()

        self.overview = Overview(self.level)
        self.township_model = OfficeTableModel(township_columns(with_parent=self.level == "city"), self)
        self.county_model = OfficeTableModel(county_columns(), self)
        column = QVBoxLayout(self)
        column.addLayout(bar)
        column.addWidget(self.status)
        column.addWidget(self.message)
        if self.level == "township":
            self.tabs = None
            column.addWidget(self.overview, 1)
        else:
            self.tabs = QTabWidget()
            self.tabs.addTab(self.overview, "全县概况" if self.level == "county" else "全市概况")
            if self.level == "city":
                self.county_table = office_table(self.county_model, "county_table")
                self.tabs.addTab(self.tab_with_hint(self.county_table, "各县数字为所辖乡镇合计；粉色为有零立案乡镇的县。"
                                                    "点列标题可排序。"), "各县")
            self.township_table = office_table(self.township_model, "township_table")
            self.tabs.addTab(self.tab_with_hint(self.township_table, "粉色行为零立案乡镇（本期没有自办立案）。点列标题可排序。"),
                             "各乡镇")
            column.addWidget(self.tabs, 1)

        self.year.valueChanged.connect(self.on_year_changed)
        self.span.currentIndexChanged.connect(self.on_span_changed)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)

    @staticmethod
    def tab_with_hint(table: QTableView, hint: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(hint_label(hint))
        column.addWidget(table, 1)
        return box

    # --- period --------------------------------------------------------------------------

    def reset_custom_dates(self) -> None:
        year = self.year.value()
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        self.date_from.setDate(QDate(year, 1, 1))
        self.date_to.setDate(QDate(year, 12, 31))
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(False)

    def on_year_changed(self) -> None:
        self.reset_custom_dates()
        self.refresh()

    def on_span_changed(self, index: int) -> None:
        custom = index == CUSTOM
        for widget in (self.date_from, self.to_label, self.date_to):
            widget.setVisible(custom)
        self.refresh()

    def set_period(self, year: int, span: str) -> None:
        """Choose a period as the user would (year, then one of SPANS); refreshes."""
        self.year.blockSignals(True)
        self.year.setValue(year)
        self.year.blockSignals(False)
        self.reset_custom_dates()
        if self.span.currentIndex() == SPANS.index(span):
            self.refresh()
        else:
            self.span.setCurrentIndex(SPANS.index(span))

    def period(self) -> stats.Period:
        from app.services import statistics

        year, index = self.year.value(), self.span.currentIndex()
        if index == CUSTOM:
            return statistics.period_from_options(year, date_from=self.date_from.date().toPython(),
                                                  date_to=self.date_to.date().toPython())
        if index in (1, 2):
            return statistics.period_from_options(year, half=index)
        if index >= 3:
            return statistics.period_from_options(year, quarter=index - 2)
        return statistics.period_from_options(year)

    # --- computing -----------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.loaded:
            self.refresh()

    def refresh(self) -> None:
        try:
            period = self.period()
        except AppError as exc:
            self.show_message(exc.message)
            return
        self.loaded = True
        self.request += 1
        request = self.request
        store = self.ctx.store

        def compute():
            from app.services import statistics

            return statistics.report(store, period)

        self.ctx.runner.run(compute, on_done=lambda report: self.on_report(request, report),
                            on_error=lambda exc: self.on_failed(request, exc), label="正在统计……", parent=self)

    def on_failed(self, request: int, exc: BaseException) -> None:
        if request == self.request:
            self.show_message(error_message(exc))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def on_report(self, request: int, report: dict) -> None:
        if request != self.request:
            return  # a newer period was chosen meanwhile
        self.report = report
        period = report["period"]
        as_of = min(date.fromisoformat(period["to"]), date.today()).isoformat()
        self.status.setText(f"{period['label']}（{period['from']}至{period['to']}）。按各项决定的日期统计，"
                            f"不按录入日期；“期末超期”按{as_of}的情况计算。")
        self.show_message("\n".join(report.get("warnings", [])))
        if self.level == "township":
            self.overview.show_indicators(report["office"]["name"], report["indicators"], None,
                                          stats.has_data(report["indicators"]))
            return
        rollup = report["rollup"]
        own = report["indicators"]
        townships = [o for o in report["offices"] if o["level"] == "township"]
        has_data = stats.has_data(rollup) or stats.has_data(own) or (self.level == "city" and bool(townships))
        scope = "各乡镇合计" + ("（全市）" if self.level == "city" else "")
        self.overview.show_indicators(scope, rollup, rollup, has_data)
        own_text = ""
        if stats.has_data(own):
            figures = "，".join(f"{SHORT[k]}{own.get(k, 0)}" for k in OWN_LINE_KEYS)
            own_text = f"{report['office']['name']}本级（不计入上面的乡镇合计）：{figures}"
        self.overview.show_own_line(own_text)
        self.township_model.set_rows(self.township_rows(townships, rollup["zero_filing_townships"]))
        if self.level == "city":
            counties = [o for o in report["offices"] if o["level"] == "county"]
            self.county_model.set_rows(self.county_rows(counties))

    @staticmethod
    def township_rows(townships: list[dict], zero: list[str]) -> list[dict]:
        ranks = stats.ranking([(t["code"], t["indicators"]) for t in townships])
        rows = []
        for t in townships:
            shares = t.get("shares") or {}
            row = {"rank": ranks[t["code"]], "name": t["name"], "code": t["code"], "parent": t.get("parent_code") or "",
                   **{k: t["indicators"].get(k, 0) for k in stats.INDICATOR_KEYS},
                   **{k: t["indicators"].get(k) for k in stats.RATIO_LABELS},
                   **{f"share_{k}": shares.get(k) for k, _ in stats.SHARES}, "zero": t["code"] in zero}
            tips = ["零立案：本期没有自办立案"] if row["zero"] else []
            if t.get("computed_on"):
                tips.append(f"统计截至{t['computed_on']}（县纪委生成上报统计的日期）")
            row["tip"] = "\n".join(tips)
            rows.append(row)
        return rows

    @staticmethod
    def county_rows(counties: list[dict]) -> list[dict]:
        keys = ("townships_with_filing_pct", "filings", "filings_self")
        ranks = stats.ranking([(c["code"], c["rollup"]) for c in counties], keys)
        rows = []
        for c in counties:
            r = c["rollup"]
            zero = len(r["zero_filing_townships"])
            rows.append({"rank": ranks[c["code"]], "name": c["name"], "code": c["code"],
                         **{k: r[k] for k, _ in stats.ROLLUP}, "zero_count": zero,
                         **{k: r.get(k, 0) for k in stats.INDICATOR_KEYS},
                         **{k: r.get(k) for k in stats.RATIO_LABELS}, "zero": zero > 0,
                         "tip": f"统计截至{c['computed_on']}" if c.get("computed_on") else ""})
        return rows

    # --- exports and snapshots -----------------------------------------------------------

    def suggested(self, stem: str) -> str:
        return f"{stem}.xlsx"

    def chosen_xlsx(self, title: str, stem: str) -> Path | None:
        chosen = self.ctx.prompter.save_file(self, title, self.suggested(stem), XLSX_FILTER)
        if not chosen:
            return None
        target = Path(chosen)
        return target if target.suffix.lower() == ".xlsx" else target.with_name(target.name + ".xlsx")

    def export_report(self) -> None:
        try:
            period = self.period()
        except AppError as exc:
            self.ctx.prompter.error(self, exc.message)
            return
        target = self.chosen_xlsx("导出统计报表", f"{self.ctx.store.office.name}统计报表-{period.label}")
        if target is None:
            return
        store = self.ctx.store

        def export():
            from app.services import report_export

            return report_export.export_report(store, period, target)

        self.ctx.runner.run(export, on_done=lambda r: self.ctx.prompter.info(self, f"统计报表已导出：{r.path}"),
                            on_error=self.on_error, label="正在导出统计报表……", parent=self)

    def export_ledger(self) -> None:
        year = self.year.value()
        target = self.chosen_xlsx("导出问题线索台账", f"{self.ctx.store.office.name}问题线索台账-{year}年")
        if target is None:
            return
        store = self.ctx.store

        def export():
            from app.services import ledger

            return ledger.export_ledger(store, year, target)

        self.ctx.runner.run(
            export, on_done=lambda r: self.ctx.prompter.info(self, f"已导出{r.year}年问题线索台账（{r.rows}条）：{r.path}"),
            on_error=self.on_error, label="正在导出问题线索台账……", parent=self)

    def export_filing_summary(self) -> None:
        year = self.year.value()
        quarters = ("第一季度", "第二季度", "第三季度", "第四季度")
        chosen = self.ctx.prompter.choose(self, f"导出{year}年哪一季度的处分备案汇总？", (*quarters, "取消"))
        if chosen >= len(quarters):
            return
        quarter = chosen + 1
        target = self.chosen_xlsx("导出处分备案汇总",
                                  f"{self.ctx.store.office.name}党纪处分备案汇总-{year}年{quarters[chosen]}")
        if target is None:
            return
        store = self.ctx.store

        def export():
            from app.services import filing_summary

            return filing_summary.export_summary(store, year, quarter, target)

        self.ctx.runner.run(
            export, on_done=lambda r: self.ctx.prompter.info(
                self, f"已导出处分备案汇总（备案{r.filed}人次、报告执行{r.reported}人次），"
                      f"请于{r.due_on}前报送：{r.path}"),
            on_error=self.on_error, label="正在导出处分备案汇总……", parent=self)

    def make_snapshots(self) -> None:
        year = self.year.value()
        if not self.ctx.prompter.confirm(
                self, f"将按本库中各乡镇的数据，生成{year}年全年、上下半年和各季度的上报统计（尚未开始的期间除外）。"
                      "导出给市纪委的数据包只带这些统计，不带案件内容。\n\n确定生成吗？", "生成"):
            return
        store = self.ctx.store

        def make():
            from app.services import statistics

            return statistics.refresh_periods(store, list(stats.standard_periods(year)))

        self.ctx.runner.run(
            make, on_done=lambda r: self.ctx.prompter.info(
                self, f"已生成{len(r.periods)}个期间的上报统计：新增{r.written}条，更新{r.updated}条，未变{r.unchanged}条。"),
            on_error=self.on_error, label="正在生成上报统计……", parent=self)

    def on_error(self, exc: BaseException) -> None:
        self.ctx.prompter.error(self, error_message(exc))
