"""培训管理 (trainer page): every trainee's results per scenario, xlsx export, resets, scenario import.

The trainer is the administrator of the practice store; other accounts see the results but the
buttons that change or export them stay disabled.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.ui.errors import error_message
from app.ui.pages.base import DataPage
from app.ui.session import SessionContext
from app.ui.table_models import RowTableModel
from app.ui.theme import scaled_font
from app.ui.widgets import (
    NOTICE_STYLE,
    WARNING_STYLE,
    EmptyState,
    banner,
    data_table,
    fit_columns,
    hint_label,
)


class ResultColumn(IntEnum):
    TRAINEE = 0
    SCENARIO = 1
    ATTEMPTS = 2
    BEST = 3
    LATEST = 4
    PASSED = 5
    WHEN = 6
    MINUTES = 7
    OUTSTANDING = 8


def percent(value) -> str:
    return "—" if value is None else f"{value}%"


class ResultTableModel(RowTableModel):
    HEADERS = ("学员", "练习案例", "次数", "最高得分率", "最近得分率", "最近结果", "最近完成", "最近用时", "待重练")

    def display(self, row, column: int) -> str:
        match ResultColumn(column):
            case ResultColumn.TRAINEE:
                return row.trainee
            case ResultColumn.SCENARIO:
                return row.scenario_title
            case ResultColumn.ATTEMPTS:
                return str(row.attempts)
            case ResultColumn.BEST:
                return percent(row.best_percent)
            case ResultColumn.LATEST:
                return percent(row.latest_percent)
            case ResultColumn.PASSED:
                return "—" if row.latest_percent is None else ("合格" if row.latest_passed else "不合格")
            case ResultColumn.WHEN:
                return row.latest_at.astimezone().strftime("%Y-%m-%d %H:%M") if row.latest_at else "—"
            case ResultColumn.MINUTES:
                return "—" if row.latest_seconds is None else f"{row.latest_seconds / 60:.1f} 分钟"
            case ResultColumn.OUTSTANDING:
                return f"{row.outstanding} 个" if row.outstanding else "无"

    def colour(self, row, column: int) -> str | None:
        if column == ResultColumn.PASSED and row.latest_percent is not None:
            return "#1e6b34" if row.latest_passed else "#b3261e"
        if column == ResultColumn.OUTSTANDING and row.outstanding:
            return "#8a5a00"
        return None


class ScenarioListColumn(IntEnum):
    ID = 0
    TITLE = 1
    VERSION = 2
    ORIGIN = 3
    TOTAL = 4


class ScenarioListModel(RowTableModel):
    HEADERS = ("编号", "练习案例", "版本", "来源", "满分")

    def display(self, row, column: int) -> str:
        return (row.id, row.title, row.version, row.origin, str(row.total))[column]


class PracticeTrainerPage(DataPage):
    LOAD_LABEL = "正在读取练习成绩……"

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.trainer = ctx.store.account.is_admin
        title = QLabel("培训管理")
        title.setFont(scaled_font(self.font(), 1.4, bold=True))
        note = hint_label("全部学员的练习成绩（每个学员、每个练习案例一行）。成绩保存在本机的练习库中；练习库使用快速密码保护，"
                          "便于培训机房共用电脑，只能存放模拟案件。")
        self.notice = banner(NOTICE_STYLE)
        self.notice.setObjectName("trainer_notice")
        self.stale_imports = banner(WARNING_STYLE)
        self.stale_imports.setObjectName("stale_imports")
        self.results = ResultTableModel(parent=self)
        self.table = data_table(self.results, stretch=ResultColumn.SCENARIO, name="results_table")
        fit_columns(self.table, {ResultColumn.TRAINEE: 6, ResultColumn.ATTEMPTS: 3, ResultColumn.BEST: 5,
                                 ResultColumn.LATEST: 5, ResultColumn.PASSED: 4, ResultColumn.WHEN: 8,
                                 ResultColumn.MINUTES: 5, ResultColumn.OUTSTANDING: 4})
        self.empty = EmptyState("还没有学员完成练习。学员在“练习”页输入姓名、选择案例即可开始。")
        self.empty.setObjectName("results_empty")
        self.scenarios = ScenarioListModel(parent=self)
        self.scenario_table = data_table(self.scenarios, stretch=ScenarioListColumn.TITLE, name="trainer_scenarios")
        fit_columns(self.scenario_table, {ScenarioListColumn.ID: 16, ScenarioListColumn.VERSION: 5,
                                          ScenarioListColumn.ORIGIN: 3, ScenarioListColumn.TOTAL: 3})

        self.export_button = QPushButton("导出成绩（xlsx）…")
        self.export_button.setObjectName("export_results")
        self.export_button.clicked.connect(self.export)
        self.reset_trainee_button = QPushButton("重置所选学员…")
        self.reset_trainee_button.setObjectName("reset_trainee")
        self.reset_trainee_button.clicked.connect(self.reset_trainee)
        self.reset_room_button = QPushButton("重置整个练习室…")
        self.reset_room_button.setObjectName("reset_room")
        self.reset_room_button.clicked.connect(self.reset_room)
        self.import_button = QPushButton("导入练习案例…")
        self.import_button.setObjectName("import_scenario")
        self.import_button.clicked.connect(self.import_scenario)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        for button in (self.export_button, self.reset_trainee_button, self.reset_room_button, self.import_button):
            button.setEnabled(self.trainer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.reset_trainee_button)
        buttons.addWidget(self.reset_room_button)
        buttons.addStretch(1)
        buttons.addWidget(refresh)

        results_box = QGroupBox("练习成绩")
        results_column = QVBoxLayout(results_box)
        results_column.addWidget(self.table)
        results_column.addWidget(self.empty)
        results_column.addLayout(buttons)
        scenario_box = QGroupBox("练习案例")
        scenario_column = QVBoxLayout(scenario_box)
        scenario_column.addWidget(self.scenario_table)
        import_row = QHBoxLayout()
        import_row.addWidget(self.import_button)
        import_row.addWidget(hint_label("导入的 .toml 案例文件先按规则校验，有问题会逐条指出文件、位置和原因（格式见 docs/PRACTICE.md）。"), 1)
        scenario_column.addLayout(import_row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(results_box)
        splitter.addWidget(scenario_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        column = QVBoxLayout(self)
        column.addWidget(title)
        column.addWidget(note)
        if not self.trainer:
            column.addWidget(hint_label("当前账户不是培训管理员：可以查看成绩，不能导出、重置或导入。"))
        column.addWidget(self.notice)
        column.addWidget(self.stale_imports)
        column.addWidget(splitter, 1)

    # --- data -----------------------------------------------------------------------------

    def fetch(self):
        store = self.ctx.store

        def load():
            from app.services import practice, ruleset

            rules = ruleset.load(store)
            problems: list[str] = []
            return practice.results(store, rules), practice.list_scenarios(store, rules, problems), problems

        return load

    def show_data(self, data) -> None:
        rows, scenarios, problems = data
        self.stale_imports.setText("以下导入的练习案例与现行办案规则不符，学员暂时看不到，请修改后重新导入：\n"
                                   + "\n".join(problems) if problems else "")
        self.stale_imports.setVisible(bool(problems))
        self.results.set_rows(rows)
        self.scenarios.set_rows(scenarios)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.export_button.setEnabled(self.trainer and bool(rows))
        self.reset_trainee_button.setEnabled(self.trainer and bool(rows))
        self.reset_room_button.setEnabled(self.trainer and bool(rows))

    def tell(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def failed(self, exc: BaseException) -> None:
        self.ctx.prompter.error(self, error_message(exc))

    # --- actions ----------------------------------------------------------------------------

    def export(self) -> None:
        chosen = self.ctx.prompter.save_file(self, "导出练习成绩", "练习成绩.xlsx", "Excel 工作簿 (*.xlsx)")
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        store = self.ctx.store

        def run():
            from app.services import practice

            return practice.export_results(store, target)

        self.run(run, lambda out: self.tell(f"已导出练习成绩：{out}"), label="正在导出成绩……", failed=self.failed)

    def selected_trainee(self) -> str | None:
        index = self.table.currentIndex()
        return self.results.row_at(index.row()).trainee if index.isValid() else None

    def reset_trainee(self) -> None:
        trainee = self.selected_trainee()
        if trainee is None:
            self.ctx.prompter.error(self, "请先在成绩表中选中要重置的学员。")
            return
        if not self.ctx.prompter.confirm(self, f"将删除学员“{trainee}”的全部练习记录和成绩（包括待重练的失分点），"
                                               "不能恢复。确定重置吗？", "重置该学员"):
            return
        self.do_reset(trainee)

    def reset_room(self) -> None:
        if not self.ctx.prompter.confirm(self, "将删除练习室中全部学员的练习记录和成绩，不能恢复。"
                                               "一般在一期培训结束、下一期开始前使用。确定重置吗？", "重置整个练习室"):
            return
        self.do_reset(None)

    def do_reset(self, trainee: str | None) -> None:
        store = self.ctx.store

        def run():
            from app.services import practice

            return practice.reset(store, trainee)

        def done(count: int) -> None:
            who = f"学员“{trainee}”" if trainee else "全部学员"
            self.tell(f"已重置{who}的练习记录（{count} 次练习）。")
            self.ctx.sig_data_changed.emit()
            self.refresh()

        self.run(run, done, label="正在重置……", failed=self.failed)

    def import_scenario(self) -> None:
        chosen = self.ctx.prompter.open_file(self, "导入练习案例", "练习案例文件 (*.toml)")
        if not chosen:
            return
        store = self.ctx.store

        def run():
            from app.services import practice

            return practice.import_scenario(store, Path(chosen))

        def done(row) -> None:
            self.tell(f"已导入练习案例“{row.title}”（{row.id}，满分 {row.total} 分）。学员在“练习”页即可选用。")
            self.ctx.sig_data_changed.emit()
            self.refresh()

        self.run(run, done, label="正在校验并导入……", failed=self.failed)
