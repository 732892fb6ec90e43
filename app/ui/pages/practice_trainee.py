"""练习 (trainee page): enter a name, choose a scenario, work it in the real case screen.

While an attempt runs, the case screen takes the left; on the right, the case material the
trainee has earned so far (revealed as steps are done) and the feedback on each decision point.
A decision off the scenario's path is held by the case service with its feedback, so the case
screen shows it at once; this panel keeps the record. At the end the score card opens.
"""

from __future__ import annotations

from enum import IntEnum
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.case_view import CaseViewPage
from app.ui.errors import error_message
from app.ui.score_card import VERDICT_COLOURS, ScoreCardDialog
from app.ui.session import SessionContext
from app.ui.table_models import RowTableModel
from app.ui.theme import scaled_font
from app.ui.widgets import (
    HINT_COLOR,
    NOTICE_STYLE,
    banner,
    data_table,
    fit_columns,
    hint_label,
    tint,
)

POLL_MS = 2500  # a held decision writes only the attempt: look again now and then
SIDE_STYLE = "QTextBrowser { background: #fffdf7; border: 1px solid #e6dcc3; }"


class ScenarioColumn(IntEnum):
    TITLE = 0
    LEVEL = 1
    TAGS = 2
    TOTAL = 3
    MINUTES = 4


class ScenarioTableModel(RowTableModel):
    HEADERS = ("练习案例", "难度", "练习要点", "满分", "建议用时")

    def display(self, row, column: int) -> str:
        match ScenarioColumn(column):
            case ScenarioColumn.TITLE:
                return row.title + ("（导入）" if row.origin == "导入" else "")
            case ScenarioColumn.LEVEL:
                return row.level
            case ScenarioColumn.TAGS:
                return "、".join(row.tags)
            case ScenarioColumn.TOTAL:
                return str(row.total)
            case ScenarioColumn.MINUTES:
                return f"{row.time_limit_minutes} 分钟"

    def tooltip(self, row, column: int) -> str | None:
        return row.summary


def facts_html(progress) -> str:
    parts = [f"<h3 style='margin:0 0 6px 0'>{escape(progress.scenario_title)}</h3>",
             f"<p style='color:#5f6368;margin:0 0 10px 0'>{escape(progress.summary)}</p>"]
    if progress.focus_questions:
        items = "".join(f"<li>{escape(q)}</li>" for q in progress.focus_questions)
        parts.append(f"<p style='margin:0'><b>本次再练的决定点：</b></p><ul style='margin-top:2px'>{items}</ul>")
    parts.append("<h4 style='margin:10px 0 4px 0'>案情材料（随办理进度出现）</h4>")
    for fact in progress.facts:
        text = "<br/>".join(escape(line) for line in fact.text.strip().splitlines())
        parts.append(f"<p style='margin:6px 0 2px 0'><b>{escape(fact.title)}</b></p><p style='margin:0 0 8px 0'>{text}</p>")
    if progress.answers:
        parts.append("<h4 style='margin:12px 0 4px 0'>决定点反馈</h4>")
        for a in progress.answers:
            colour = VERDICT_COLOURS[a.verdict]
            parts.append(f"<p style='margin:4px 0 8px 0'><span style='color:{colour}'><b>{a.verdict_label}"
                         f"（{a.earned}/{a.points} 分）</b></span> {escape(a.message or a.question)}</p>")
    return "".join(parts)


class PracticeTraineePage(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.attempt_id: str | None = None
        self.case_id: str | None = None
        self.scenario_id: str | None = None
        self.trainee = ""
        self.case_view: CaseViewPage | None = None
        self.visits = -1
        self.polling = False
        self.card_dialog: ScoreCardDialog | None = None
        self.outstanding: dict[str, int] = {}

        self.stack = QStackedWidget()
        self.stack.addWidget(self.build_chooser())
        self.stack.addWidget(self.build_work())
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        ctx.sig_data_changed.connect(self.on_data_changed)
        self.load_scenarios()

    # --- choosing -------------------------------------------------------------------------

    def build_chooser(self) -> QWidget:
        page = QWidget()
        title = QLabel("案卷模拟练习")
        title.setFont(scaled_font(self.font(), 1.4, bold=True))
        intro = hint_label("输入姓名，选择一个练习案例，就像办理真实案件一样在案件界面中逐环节办理。每个关键决定都会评分，"
                           "判断有误时会当场说明依据条款；做完后给出成绩单。练习数据保存在单独的练习库中，与正式数据完全隔离，"
                           "不能导出上报。")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("trainee_name")
        self.name_edit.setPlaceholderText("学员姓名，如：王某某")
        self.name_edit.setMaxLength(20)
        self.name_edit.editingFinished.connect(self.load_trainee)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("学员姓名"))
        name_row.addWidget(self.name_edit, 1)
        name_row.addStretch(2)

        self.model = ScenarioTableModel(parent=self)
        self.table = data_table(self.model, stretch=ScenarioColumn.TAGS, name="scenario_table")
        fit_columns(self.table, {ScenarioColumn.TITLE: 26, ScenarioColumn.LEVEL: 3, ScenarioColumn.TOTAL: 3,
                                 ScenarioColumn.MINUTES: 5})
        self.table.selectionModel().currentRowChanged.connect(self.show_selected)
        self.table.activated.connect(lambda _index: self.start("full"))
        self.detail = QLabel()
        self.detail.setObjectName("scenario_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setMinimumHeight(self.fontMetrics().height() * 4)
        self.start_button = QPushButton("开始练习")
        self.start_button.setObjectName("start_practice")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(lambda: self.start("full"))
        self.drill_button = QPushButton("再练一次（只练上次失分的决定点）")
        self.drill_button.setObjectName("start_drill")
        self.drill_button.clicked.connect(lambda: self.start("drill"))
        self.message = banner("color: #b3261e;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.drill_button)
        buttons.addStretch(1)

        self.unfinished = QListWidget()
        self.unfinished.setObjectName("unfinished_attempts")
        self.unfinished.itemActivated.connect(self.resume)
        self.resume_button = QPushButton("继续所选练习")
        self.resume_button.clicked.connect(lambda: self.resume(self.unfinished.currentItem()))
        self.unfinished_box = QWidget()
        box = QVBoxLayout(self.unfinished_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("未完成的练习（锁定或暂停前留下的，可以接着做）"))
        box.addWidget(self.unfinished)
        row = QHBoxLayout()
        row.addWidget(self.resume_button)
        row.addStretch(1)
        box.addLayout(row)
        self.unfinished_box.hide()

        column = QVBoxLayout(page)
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(6)
        column.addLayout(name_row)
        column.addWidget(self.table, 1)
        column.addWidget(self.detail)
        column.addWidget(self.message)
        column.addLayout(buttons)
        column.addWidget(self.unfinished_box)
        self.update_buttons()
        return page

    def load_scenarios(self) -> None:
        store = self.ctx.store

        def fetch():
            from app.services import practice

            return practice.list_scenarios(store)

        self.ctx.runner.run(fetch, on_done=self.show_scenarios, on_error=self.show_error)

    def show_scenarios(self, rows) -> None:
        keep = self.selected()
        self.model.set_rows(rows)
        ids = [r.id for r in rows]
        if rows:
            self.table.selectRow(ids.index(keep.id) if keep is not None and keep.id in ids else 0)
        self.update_buttons()

    def selected(self):
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def show_selected(self, *_args) -> None:
        row = self.selected()
        if row is None:
            self.detail.setText("")
        else:
            left = self.outstanding.get(row.id, 0)
            drill = f"<br/><span style='color:#8a5a00'>你在这个案例中还有 {left} 个失分的决定点待重练。</span>" if left else ""
            self.detail.setText(f"<b>{escape(row.title)}</b>　满分 {row.total} 分，{row.decision_points} 个评分的决定点，"
                                f"建议 {row.time_limit_minutes} 分钟内完成<br/>{escape(row.summary)}{drill}")
        self.update_buttons()

    def update_buttons(self) -> None:
        row = self.selected()
        self.start_button.setEnabled(row is not None)
        self.drill_button.setEnabled(row is not None and self.outstanding.get(row.id, 0) > 0)

    def load_trainee(self) -> None:
        """What this trainee left: unfinished attempts, and decision points still to practise."""
        name = self.name_edit.text().strip()
        if not name:
            self.outstanding = {}
            self.unfinished_box.hide()
            self.show_selected()
            return
        store = self.ctx.store
        rows = list(self.model.rows)

        def fetch():
            from app.services import practice

            scenarios = practice.load_scenarios(store)
            left = {r.id: len(practice.outstanding_points(store, name, scenarios[r.id][0])) for r in rows
                    if r.id in scenarios}
            return left, practice.unfinished(store, name)

        self.ctx.runner.run(fetch, on_done=self.show_trainee, on_error=self.show_error)

    def show_trainee(self, result) -> None:
        self.outstanding, unfinished = result
        self.unfinished.clear()
        for u in unfinished:
            mode = "再练一次" if u.mode == "drill" else "完整练习"
            item = QListWidgetItem(f"{u.scenario_title}（{mode}，{u.started_at.astimezone():%m月%d日 %H:%M} 开始）")
            item.setData(Qt.ItemDataRole.UserRole, u)
            self.unfinished.addItem(item)
        self.unfinished_box.setVisible(bool(unfinished))
        if unfinished:
            self.unfinished.setCurrentRow(0)
            rows = min(len(unfinished), 3)  # as tall as its few lines: the scenario list keeps the room
            self.unfinished.setFixedHeight(rows * self.unfinished.sizeHintForRow(0) + 2 * self.unfinished.frameWidth() + 4)
        current = self.table.currentIndex()
        if current.isValid():
            self.table.scrollTo(current)
        self.show_selected()

    def start(self, mode: str, scenario_id: str | None = None) -> None:
        row = self.selected()
        scenario_id = scenario_id or (row.id if row else None)
        name = self.name_edit.text().strip()
        if scenario_id is None:
            return
        if not name:
            self.message.setText("请先填写学员姓名：成绩按姓名记录。")
            self.message.show()
            self.name_edit.setFocus()
            return
        self.message.hide()
        store = self.ctx.store

        def run():
            from app.services import practice

            return practice.start(store, scenario_id, name, mode=mode)

        def done(started) -> None:
            self.trainee = name
            self.open_attempt(started.attempt_id, started.case_id, started.scenario_id)

        self.ctx.runner.run(run, on_done=done, on_error=self.show_error, label="正在准备练习案件……", parent=self)

    def resume(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        u = item.data(Qt.ItemDataRole.UserRole)
        self.trainee = self.name_edit.text().strip()
        self.open_attempt(u.attempt_id, u.case_id, u.scenario_id)

    def show_error(self, exc: BaseException) -> None:
        self.ctx.prompter.error(self, error_message(exc))

    # --- working ------------------------------------------------------------------------

    def build_work(self) -> QWidget:
        page = QWidget()
        self.work_title = QLabel()
        self.work_title.setObjectName("attempt_title")
        self.work_title.setTextFormat(Qt.TextFormat.PlainText)  # the title comes from an imported scenario file: never HTML
        self.work_title.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.work_title.setWordWrap(True)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("attempt_progress")
        tint(self.progress_label, HINT_COLOR)
        self.finish_button = QPushButton("交卷")
        self.finish_button.setObjectName("finish_attempt")
        self.finish_button.clicked.connect(self.finish)
        pause = QPushButton("暂停，回到案例列表")
        pause.setObjectName("pause_attempt")
        pause.clicked.connect(self.pause)
        head = QHBoxLayout()
        head.addWidget(self.work_title, 1)
        head.addWidget(self.progress_label)
        head.addWidget(self.finish_button)
        head.addWidget(pause)
        self.ready_note = banner(NOTICE_STYLE)
        self.ready_note.setObjectName("attempt_ready")
        self.side = QTextBrowser()
        self.side.setObjectName("practice_side")
        self.side.setStyleSheet(SIDE_STYLE)
        # narrow enough that case and notes fit side by side at 150 % scaling; the splitter widens it
        self.side.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 10)
        self.case_holder = QWidget()
        self.case_layout = QVBoxLayout(self.case_holder)
        self.case_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.case_holder)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(head)
        column.addWidget(self.ready_note)
        column.addWidget(self.splitter, 1)
        return page

    def open_attempt(self, attempt_id: str, case_id: str, scenario_id: str) -> None:
        self.drop_case_view()
        self.attempt_id, self.case_id, self.scenario_id = attempt_id, case_id, scenario_id
        self.visits = -1
        view = CaseViewPage(self.ctx, case_id)
        view.sig_back.connect(self.pause)
        view.back_button.setText("← 暂停练习（Esc）")
        self.case_layout.addWidget(view)
        self.case_view = view
        self.stack.setCurrentIndex(1)
        width = max(self.splitter.width(), 1000)
        self.splitter.setSizes([width * 7 // 10, width - width * 7 // 10])
        view.reload()
        self.refresh_side()
        self.timer.start()

    def drop_case_view(self) -> None:
        if self.case_view is not None:
            self.case_layout.removeWidget(self.case_view)
            self.case_view.deleteLater()
            self.case_view = None

    def on_data_changed(self) -> None:
        if self.attempt_id is not None:
            self.refresh_side()
        else:
            self.load_scenarios()  # e.g. the trainer imported a scenario

    def poll(self) -> None:
        if self.attempt_id is not None and self.isVisible() and not self.polling and not self.ctx.runner.busy:
            self.refresh_side()

    def refresh_side(self) -> None:
        """Carry a drill on, finish a path that ends by itself, and show the material and feedback."""
        store, attempt_id = self.ctx.store, self.attempt_id
        if attempt_id is None:
            return

        def fetch():
            from app.services import practice

            return practice.update(store, attempt_id)

        def failed(exc: BaseException) -> None:
            self.polling = False
            self.timer.stop()
            self.show_error(exc)

        self.polling = True
        self.ctx.runner.run(fetch, on_done=self.show_progress, on_error=failed)

    def show_progress(self, progress) -> None:
        self.polling = False
        if progress.attempt_id != self.attempt_id:
            return
        mode = "再练一次" if progress.mode == "drill" else "完整练习"
        self.work_title.setText(f"练习：{progress.scenario_title}（学员：{progress.trainee}，{mode}）")
        self.progress_label.setText(f"已作出 {min(progress.visits_done, progress.path_length)}/{progress.path_length} "
                                    f"个决定 · 当前环节：{progress.step_title}")
        scroll = self.side.verticalScrollBar().value()
        self.side.setHtml(facts_html(progress))
        self.side.verticalScrollBar().setValue(scroll)
        self.finish_button.setText("完成练习" if progress.ready_to_finish else "交卷")
        self.ready_note.setText("参考路径已全部走完。终点环节还有事要办的，办完后点“完成练习”查看成绩单。"
                                if progress.ready_to_finish and not progress.finished else "")
        self.ready_note.setVisible(bool(self.ready_note.text()))
        if self.case_view is not None and self.visits not in (-1, progress.visits_done) and not self.case_view.loading:
            self.case_view.reload()  # a drill moved the case on by itself
        self.visits = progress.visits_done
        if progress.finished:
            self.show_card(progress.card)

    def finish(self) -> None:
        if self.attempt_id is None:
            return
        ready = self.finish_button.text() == "完成练习"
        if not ready and not self.ctx.prompter.confirm(
                self, "练习还没有做完。现在交卷，没有做到的决定点和程序都不得分。确定交卷吗？", "交卷"):
            return
        store, attempt_id = self.ctx.store, self.attempt_id

        def run():
            from app.services import practice

            return practice.finish(store, attempt_id)

        self.ctx.runner.run(run, on_done=self.show_card, on_error=self.show_error, label="正在评分……", parent=self)

    def show_card(self, card: dict) -> ScoreCardDialog | None:
        if self.attempt_id is None:
            return None
        self.timer.stop()
        scenario_id = self.scenario_id
        self.close_attempt()
        self.ctx.sig_data_changed.emit()  # the trainer's results table
        dialog = ScoreCardDialog(card, self)
        dialog.sig_retry.connect(lambda mode: self.start(mode, scenario_id))
        dialog.finished.connect(dialog.deleteLater)
        self.card_dialog = dialog
        dialog.open()
        return dialog

    def pause(self) -> None:
        """Back to the list; the attempt stays open and can be continued (its time keeps running)."""
        if self.case_view is not None:
            self.case_view.request_leave(self.close_attempt)
        else:
            self.close_attempt()

    def close_attempt(self) -> None:
        self.timer.stop()
        self.drop_case_view()
        self.attempt_id = self.case_id = None
        self.stack.setCurrentIndex(0)
        self.load_trainee()
