"""案件详情: one case, driven only through `app.services.cases`.

Top: number and persons, the stage bar, the deadline chips (a running one that may be extended
asks for the extension when clicked). Left: the current step — its checklist, its fields, the
collective study, sanctions where the step records them, its documents (generated and opened
through `app.services.documents` / `document_files`) and the decisions (disabled with the reason
while a gate blocks them). Right: the step's guidance (做什么 / 为什么 / 怎么做 / 常见错误 / 依据),
the clue's facts with the reporter (administrators only, audited) and the history.

Every write reloads the case, and only what changed is built again: within one visit of a step
each box (checklist, fields, study, sanctions, documents, decisions) is replaced only when its own
data changed, keeping the scroll position and moving focus to the same control in the new box, so
the user stays exactly where they acted. A decision that moves the case on shows the new step from
its top. Field edits not yet saved survive a reload and a lock (as a draft); leaving the case with
unsaved edits asks first.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.sanctions import KIND_LABELS
from app.ui.account_dialogs import administrator_for
from app.ui.case_dialogs import DecisionDialog, ExtensionDialog, ReporterDialog, StudyDialog
from app.ui.case_models import HistoryTableModel
from app.ui.citation_dialog import citation_link, open_if_citation
from app.ui.errors import error_message
from app.ui.field_editors import FieldEditor, field_label, make_editor
from app.ui.probation_dialog import ProbationDialog
from app.ui.session import SessionContext
from app.ui.stage_bar import DeadlineChip, StageBar
from app.ui.theme import scaled_font
from app.ui.widgets import (
    DANGER_STYLE,
    EFFECT_MARK,
    ERROR_COLOR,
    HINT_COLOR,
    NOTICE_STYLE,
    WARNING_STYLE,
    FlowLayout,
    Form,
    banner,
    data_table,
    fit_columns,
    hint_label,
    marked_names,
    scroll_area,
    tint,
    wrapped_label,
)
from app.ui.subject_dialogs import MergeDialog
from app.ui.subject_panel import SubjectPanel
from app.ui.take_over_dialog import TakeOverDialog
from app.ui.wrap_check import WrapCheckBox

DRAFT_KEY = "case"
SECTION_HEADS = (("what", "做什么"), ("why", "为什么"), ("how", "怎么做"), ("mistakes", "常见错误"))
FIELD_PROBLEMS = ("field_invalid", "field_unknown", "date_in_future")
INTAKE_NOTE = "以下是登记线索时录入的信息，登记后不在此修改。"
SHORT_TAG_CHARS = 4  # 必办, 按需办理: beside the item; longer notes go under it
UI_SETTINGS_FILE = "screen.ini"
GUIDANCE_HIDDEN = "case/guidance_hidden"


@dataclass(frozen=True)
class CaseData:
    rules: object
    shown: dict
    details: object
    history: list
    templates: list  # documents.CaseTemplate of the steps visited and the current one
    documents: dict  # document id -> the latest version's documents.DocumentRow


def paragraphs(text: str) -> str:
    lines = [html.escape(line.strip()) for line in text.strip().splitlines() if line.strip()]
    return "<br>".join(lines)


def link_text(link: dict) -> str:
    """A linked clue of a repeat complaint: its number and when it came in."""
    return f"{link['clue_number']}（收件 {link['received_on']}）" if link["received_on"] else link["clue_number"]


def guidance_html(step, item=None) -> str:
    parts = [f"<h3 style='margin:0'>{html.escape(step.title)}</h3>",
             f"<p style='color:#5f6368'>办理人：{html.escape(step.role)}</p>"]
    if item is not None:
        parts.append("<table width='100%' cellpadding='6' style='background:#fff4e5'><tr><td>"
                     f"<b>当前事项：</b>{html.escape(item.label)}<br>{paragraphs(item.help)}</td></tr></table>")
    for key, title in SECTION_HEADS:
        parts.append(f"<h4 style='margin-bottom:2px'>{title}</h4><p style='margin-top:2px'>"
                     f"{paragraphs(getattr(step.guidance, key))}</p>")
    parts.append("<h4 style='margin-bottom:2px'>依据</h4><ul style='margin-top:2px'>"
                 + "".join(f"<li>{citation_link(c)}</li>" for c in step.citation) + "</ul>"
                 + "<p style='color:#5f6368'>点击依据可查看条文。</p>")
    return "".join(parts)


def clear_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


def focusable(widget: QWidget):
    """The enabled controls shown inside `widget` that Tab can reach, in creation order (not those of
    boxes just replaced, which wait hidden for their deletion)."""
    return (w for w in widget.findChildren(QWidget)
            if w.isEnabled() and w.isVisibleTo(widget) and w.focusPolicy().value & Qt.FocusPolicy.TabFocus.value)


def backfill_line(backfill: dict | None) -> str:
    """The case's 补录 origin (docs/IMPORT.md): which file and row, and which checks were not made here."""
    if not backfill:
        return ""
    steps = "、".join(u["title"] for u in backfill.get("unchecked", []))
    return (f"\n补录：原台账“{backfill['file']}”第{backfill['row']}行，{backfill['by']}于{backfill['on']}导入；"
            f"此前的{steps}等环节未在本软件中办理，其检查项当时未作核对。")


class CaseViewPage(QWidget):
    """`sig_back` asks the main window to return to the list the case was opened from."""

    sig_back = Signal()

    def __init__(self, ctx: SessionContext, case_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.data: CaseData | None = None
        self.editors: dict[str, FieldEditor] = {}
        self.saved_values: dict = {}
        self.pending: dict | None = None  # unsaved edits to re-apply after the next load
        self.checks: dict[str, QCheckBox] = {}
        self.decision_buttons: dict[str, QPushButton] = {}
        self.decision_reasons: dict[str, QLabel] = {}
        self.chips: dict[str, DeadlineChip] = {}
        self.dialog = None
        self.edit_sessions: list = []  # (case id, document_files.EditSession) opened in the word processor from here
        self.document_buttons: dict[str, QPushButton] = {}
        self.dirty_label: QLabel | None = None
        self.field_form: Form | None = None
        self.boxes: dict[str, tuple[QWidget, object]] = {}  # box name -> (widget, the data it shows)
        self.fields_saved = False  # the next load follows a save of the fields from this view
        self.loading = False  # a load of the case is on its way (the practice screen waits for it)
        self.side_pending = False  # the tabs beside the step are to be brought up to date
        self.side_shown: dict = {}  # what those tabs show now

        self.back_button = QPushButton("← 返回（Esc）")
        self.back_button.setObjectName("case_back")
        self.back_button.clicked.connect(self.sig_back)
        self.title = QLabel()
        self.title.setObjectName("case_title")
        self.title.setFont(scaled_font(self.font(), 1.3, bold=True))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(lambda: self.reload())
        self.map_button = QPushButton("流程图")
        self.map_button.setObjectName("case_map")
        self.map_button.setToolTip("全部办案流程，标出本案所处环节和接下来可以作出的决定。")
        self.map_button.clicked.connect(self.open_map)
        self.guidance_button = QPushButton()
        self.guidance_button.setObjectName("toggle_guidance")
        self.guidance_button.setCheckable(True)
        self.guidance_button.toggled.connect(self.on_guidance_toggled)
        # a county sees its townships' cases read-only; 提级办理 is the one thing it decides on them here
        self.take_over_button = QPushButton("提级办理…")
        self.take_over_button.setObjectName("case_take_over")
        self.take_over_button.setToolTip("县纪委监委决定直接办理本案（监督执纪工作规则第九条，监察法实施条例第四十七条）。")
        self.take_over_button.clicked.connect(self.open_take_over)
        self.take_over_button.hide()
        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(8)
        head.addWidget(self.title, 1)
        head.addWidget(self.take_over_button)
        head.addWidget(self.map_button)
        head.addWidget(self.guidance_button)
        head.addWidget(refresh)
        self.meta = QLabel()
        self.meta.setObjectName("case_meta")
        self.meta.setWordWrap(True)
        tint(self.meta, HINT_COLOR)
        self.stage_bar = StageBar()
        self.stage_bar.setObjectName("stage_bar")
        self.chip_box = QWidget()
        self.chip_flow = FlowLayout(self.chip_box, spacing=6)
        self.warning = banner(WARNING_STYLE)
        self.notice = banner(NOTICE_STYLE)
        self.notice.setObjectName("case_notice")
        self.refusal = banner(DANGER_STYLE)
        self.refusal.setObjectName("case_refusal")

        self.step_content = QWidget()
        self.step_column = QVBoxLayout(self.step_content)
        self.step_column.setContentsMargins(0, 0, 8, 0)
        self.scroll = scroll_area(self.step_content)
        # the step column always fits the width: long texts wrap instead of pushing controls off-screen
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.guidance = QTextBrowser()
        self.guidance.setObjectName("guidance")
        self.guidance.setOpenLinks(False)
        self.guidance.anchorClicked.connect(lambda url: open_if_citation(url, self))
        self.info_box = QWidget()
        self.info_form = QFormLayout(self.info_box)
        self.info_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        info_scroll = scroll_area(self.info_box)
        self.history_model = HistoryTableModel(parent=self)
        self.history_table = data_table(self.history_model, stretch=2, name="case_history")
        fit_columns(self.history_table, {0: 8, 1: 4})
        self.history_table.setWordWrap(True)
        self.history_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.guidance, "办理指导")
        self.tabs.addTab(info_scroll, "线索和人员")
        self.tabs.addTab(self.history_table, "办理记录")
        self.subject_panels: list[SubjectPanel] = []

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.scroll)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.splitterMoved.connect(self.on_split_moved)
        self.splitter = splitter
        self.user_split = False

        QApplication.instance().applicationStateChanged.connect(self.on_app_state)
        back = QAction(self)
        back.setShortcuts([QKeySequence(Qt.Key.Key_Escape), QKeySequence("Alt+Left")])
        back.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.triggered.connect(self.sig_back)
        self.addAction(back)

        # notice and refusal share one slot beside the deadline chips, as tall as a chip line, so
        # the step below does not jump when a message comes or goes
        feedback = QVBoxLayout()
        feedback.setContentsMargins(0, 0, 0, 0)
        feedback.addWidget(self.notice)
        feedback.addWidget(self.refusal)
        status_row = QHBoxLayout()
        status_row.addWidget(self.chip_box, 1)
        status_row.addLayout(feedback, 1)
        self.chip_box.setMinimumHeight(self.notice.sizeHint().height())

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(head)
        column.addWidget(self.meta)
        column.addWidget(self.stage_bar)
        column.addLayout(status_row)
        column.addWidget(self.warning)
        column.addWidget(splitter, 1)
        self.set_guidance_hidden(self.ui_settings().value(GUIDANCE_HIDDEN, False, type=bool))

    def ui_settings(self) -> QSettings:
        """Screen preferences of this data directory (nothing about cases: it is a plain file)."""
        return QSettings(str(self.ctx.store.paths.root / UI_SETTINGS_FILE), QSettings.Format.IniFormat)

    def set_guidance_hidden(self, hidden: bool) -> None:
        self.tabs.setVisible(not hidden)
        self.guidance_button.blockSignals(True)
        self.guidance_button.setChecked(hidden)
        self.guidance_button.blockSignals(False)
        self.guidance_button.setText("显示办理指导" if hidden else "收起办理指导")
        self.guidance_button.setToolTip("右侧的办理指导、线索和人员、办理记录；收起后本环节占满宽度，下次打开案件时保持。")

    def on_guidance_toggled(self, hidden: bool) -> None:
        self.set_guidance_hidden(hidden)
        self.ui_settings().setValue(GUIDANCE_HIDDEN, hidden)

    def open_map(self) -> None:
        from app.ui.procedure_map import open_procedure_map

        if self.data is not None:
            open_procedure_map(self, self.data.rules, self.data.shown)

    def on_split_moved(self, *_args) -> None:
        self.user_split = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.user_split:
            # the step in front: three fifths for the step, the rest for guidance and history
            width = self.splitter.width()
            self.splitter.setSizes([width * 3 // 5, width - width * 3 // 5])

    # --- loading ------------------------------------------------------------------------

    def reload(self, then: Callable[[], None] | None = None) -> None:
        """Load the case again; unsaved field edits of the same step visit are kept."""
        store, case_id = self.ctx.store, self.case_id

        def load() -> CaseData:
            from app.services import case_details, cases, ruleset

            from app.services import documents

            rules = ruleset.load(store)
            latest = {d.document_id: d for d in documents.list_documents(store, case_id) if d.latest}
            return CaseData(rules, cases.show_case(store, case_id, rules=rules),
                            case_details.details(store, case_id, rules=rules),
                            case_details.history(store, case_id, rules=rules),
                            documents.case_templates(store, case_id, rules=rules), latest)

        def done(data: CaseData) -> None:
            self.loading = False
            self.setUpdatesEnabled(True)  # held back after a decision (open_decision)
            self.render(data)
            notice = self.ctx.case_notices.pop(self.case_id, None)
            if notice:
                self.show_notice(notice)
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            self.loading = False
            self.setUpdatesEnabled(True)
            self.ctx.prompter.error(self, f"无法打开案件：{error_message(exc)}")
            if self.data is None:
                self.sig_back.emit()  # nothing to show: back to the list

        if self.data is not None and self.editors:
            self.pending = self.changed_values() or None
        self.loading = True
        self.ctx.runner.run(load, on_done=self.for_case(done), on_error=self.for_case(failed), label="正在载入案件……",
                            parent=self)

    @property
    def step(self):
        return self.data.rules.workflow.steps[self.data.shown["step"]["id"]]

    @property
    def read_only(self) -> bool:
        return self.data.shown["terminal"] or not self.data.details.owned

    @property
    def can_reopen(self) -> bool:
        """A terminal step's only decisions take the case up again (an appeal after archiving)."""
        return self.data.shown["terminal"] and self.data.details.owned and bool(self.step.decisions)

    def render(self, data: CaseData) -> None:
        previous = self.data
        pending = self.pending if self.pending and self.pending.get("step") == data.shown["step"] else None
        self.pending = None
        self.data = data
        shown, details = data.shown, data.details
        self.take_over_button.setVisible(self.ctx.store.office.level == "county" and not details.owned
                                         and not shown["terminal"])
        flagged = [p["name"] for p in shown["persons"] if "in_effect_period" in p["flags"]]
        self.title.setText(f"{shown['number']}　{marked_names([p['name'] for p in shown['persons']], flagged)}")
        step = shown["step"]
        visit = f"（第{step['round']}次）" if step["round"] > 1 else ""
        clue_no = f"线索编号 {shown['clue_number']} · " if shown["clue_number"] != shown["number"] else ""
        self.meta.setText(f"{clue_no}{shown['source']} · 收件 {shown['received_on']} · 当前：{shown['stage']['title']} › "
                          f"{step['title']}{visit}，{step['entered_on']} 起" + backfill_line(shown.get("backfill")))
        stage = (shown["stage_path"], shown["stage"]["id"], shown["terminal"])
        if previous is None or stage != (previous.shown["stage_path"], previous.shown["stage"]["id"],
                                         previous.shown["terminal"]):
            self.stage_bar.set_case(*stage)
        if previous is None or previous.shown["deadlines"] != shown["deadlines"]:
            self.render_chips()
        warnings = [w.rstrip("。") for w in shown["warnings"]]
        if self.can_reopen:
            warnings.insert(0, "本案办理流程已结束；受处分人提出申诉或申请复审的，可在下方受理；举报人提供新的证据材料、"
                                        "被谈话函询人在民主生活会（组织生活会）上作了说明的，也在下方办理")
        elif shown["terminal"]:
            warnings.insert(0, "本案办理流程已结束，只能查看")
        elif not details.owned:
            warnings.insert(0, "本案属于其他单位，本单位只能查看，不能办理")
        self.warning.setText("；".join(warnings) + "。" if warnings else "")
        self.warning.setVisible(bool(warnings))
        same_visit = (previous is not None and previous.shown["step"] == step
                      and previous.shown["terminal"] == shown["terminal"] and previous.details.owned == details.owned)
        fields_saved, self.fields_saved = self.fields_saved, False
        if same_visit:
            self.update_step(fields_saved)
        else:
            self.render_step()
        if not self.side_pending:
            # the right-hand tabs in the next turn of the event loop: the step the user acts on is
            # drawn first, and neither stretch of work holds the GUI thread long
            self.side_pending = True
            QTimer.singleShot(0, self, self.render_side)
        if pending and not same_visit:  # editors kept in place already hold the user's edits
            for key, value in pending["values"].items():
                if key in self.editors:
                    self.editors[key].set_value(value)
            self.update_dirty()

    def render_side(self) -> None:
        """The tabs beside the step, each only when what it shows changed since it was last drawn."""
        self.side_pending = False
        if self.data is None:  # emptied for another case meanwhile; its own load draws them
            return
        shown, details = self.data.shown, self.data.details
        info = (details, shown["persons"], shown["sanctions"])
        if info != self.side_shown.get("info"):
            self.render_info()
        if self.data.history != self.side_shown.get("history"):
            self.history_model.set_rows(self.data.history)
        if shown["step"] != self.side_shown.get("step"):
            self.guidance.setHtml(guidance_html(self.step))
        people = (shown["subjects"], self.read_only)
        if people != self.side_shown.get("subjects"):
            self.render_subjects()
        self.side_shown = {"info": info, "history": self.data.history, "step": shown["step"], "subjects": people}

    def render_subjects(self) -> None:
        """A tab per person after 线索和人员; the tab the user was on stays in front."""
        current = self.tabs.currentWidget()
        was = current.person["id"] if isinstance(current, SubjectPanel) else None
        focused = QApplication.focusWidget()
        focus_name = focused.objectName() if focused is not None and isinstance(current, SubjectPanel) \
            and current.isAncestorOf(focused) else ""
        self.clear_subject_tabs()
        context = SimpleNamespace(ctx=self.ctx, case_id=self.case_id, rules=self.data.rules, shown=self.data.shown,
                                  read_only=self.read_only)
        self.subject_panels = []
        for index, person in enumerate(self.data.shown["subjects"]):
            panel = SubjectPanel(person, context, self.open_subject_dialog)
            panel.setObjectName(f"subject_tab_{index + 1}")
            self.tabs.insertTab(2 + index, panel, f"人员：{person['name']}")
            self.subject_panels.append(panel)
            if person["id"] == was:
                self.tabs.setCurrentWidget(panel)
                # back on the button the dialog came from, not thrown to the step column
                target = panel.findChild(QWidget, focus_name) if focus_name else None
                if target is not None:
                    target.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_subject_tabs(self) -> None:
        for panel in self.subject_panels:
            self.release_focus(panel)
            self.tabs.removeTab(self.tabs.indexOf(panel))
            panel.deleteLater()
        self.subject_panels = []

    def open_merge(self) -> None:
        dialog = MergeDialog(self.ctx, self.case_id, self.data.shown["number"], self)
        dialog.sig_done.connect(lambda result: self.after_write(f"本案已并入案件 {result.number}，请到该案件继续办理。"))
        self.open_dialog(dialog)

    def open_subject_dialog(self, dialog, notice: str) -> None:
        dialog.sig_done.connect(lambda _r: self.after_write(notice))
        self.open_dialog(dialog)

    def render_chips(self) -> None:
        self.release_focus(self.chip_box)
        self.chip_flow.clear()
        self.chips = {}
        wf = self.data.rules.workflow
        running = [d for d in self.data.shown["deadlines"] if d["state"] in ("overdue", "due_soon", "normal")]
        finished = [d for d in self.data.shown["deadlines"] if d not in running]
        for d in running:
            rule = wf.deadline(d["id"])
            extendable = bool(rule and rule.extension and d in running and not self.read_only)
            tip = [f"{d['title']}：自 {d['start']} 起算，截止 {d['due']}。"]
            if rule is not None:
                tip += list(rule.citation)
                if rule.note:
                    tip.append(rule.note)
            tip += list(d["warnings"])
            chip = DeadlineChip(d, extendable, "\n".join(tip))
            chip.sig_extend.connect(self.open_extension)
            self.chip_flow.addWidget(chip)
            self.chips[d["id"]] = chip
        if finished:
            # met deadlines matter less than running ones: one line, the details on hover
            done = QLabel(f"另有 {len(finished)} 项期限已办结" if running else f"{len(finished)} 项期限均已办结")
            done.setObjectName("deadlines_met")
            tint(done, HINT_COLOR)
            done.setMargin(4)
            done.setToolTip("\n".join(f"{d['title']}：{d['label']}（{d['met_on']}），期限 {d['due']}" for d in finished))
            self.chip_flow.addWidget(done)
        if not self.data.shown["deadlines"]:
            none = QLabel("本案目前没有计时的办案期限。")
            tint(none, HINT_COLOR)
            self.chip_flow.addWidget(none)

    # --- the current step ----------------------------------------------------------------

    def step_boxes(self) -> list[tuple[str, Callable[[], QWidget], object]]:
        """The current step's boxes in order: name, builder, and the data the box shows (compared
        between loads to decide whether it must be built again)."""
        shown, details, step = self.data.shown, self.data.details, self.step
        boxes = []
        if step.checklist:
            boxes.append(("checklist", self.checklist_box, shown["checklist_done"]))
        if step.fields:
            boxes.append(("fields", self.fields_box, shown["fields"]))
        if any("study" in d.requires for d in step.decisions):
            boxes.append(("study", self.study_box, details.studies))
        if step.sanction_kinds:
            boxes.append(("sanctions", self.sanction_box,
                          (details.proposed_sanctions, [(p["name"], p["outcome"], p["sanctions"], p["particulars"].get("category"))
                                                        for p in shown["subjects"]])))
        if step.documents:
            boxes.append(("documents", self.documents_box, (self.data.templates, self.data.documents)))
        if self.running_probations():
            boxes.append(("probation", self.probation_box, self.running_probations()))
        boxes.append(("decisions", self.decisions_box, shown["decisions"]))
        return boxes

    def render_step(self) -> None:
        """A new step (or the first load): every box built, the panel shown from its top."""
        self.step_content.setUpdatesEnabled(False)
        self.release_focus(self.step_content)
        clear_layout(self.step_column)
        self.dirty_label = None
        self.field_form = None
        self.editors, self.checks, self.decision_buttons, self.decision_reasons = {}, {}, {}, {}
        self.boxes = {}
        shown, step = self.data.shown, self.step
        heading = QLabel(f"当前环节：{step.title}")
        heading.setObjectName("step_heading")
        heading.setWordWrap(True)
        heading.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.step_column.addWidget(heading)
        self.step_column.addWidget(hint_label(f"办理人：{step.role}。右侧“办理指导”说明这一环节做什么、怎么做。"))
        if shown["terminal"]:
            self.step_column.addWidget(hint_label("案件已归档。办理过程见右侧“办理记录”。"))
            if self.running_probations():
                self.step_column.addWidget(self.probation_box())
            if self.can_reopen:
                self.boxes["decisions"] = (self.decisions_box(), shown["decisions"])
                self.step_column.addWidget(self.boxes["decisions"][0])
        else:
            for name, build, key in self.step_boxes():
                box = build()
                self.boxes[name] = (box, key)
                self.step_column.addWidget(box)
                box.show()  # now, not when the layout gets to it: only a shown widget takes focus
        self.step_column.addStretch(1)
        self.step_content.setUpdatesEnabled(True)
        self.scroll.verticalScrollBar().setValue(0)
        self.focus_first_open()

    def update_step(self, fields_saved: bool = False) -> None:
        """The same step visit again: only the boxes whose data changed are built anew, in place.
        `fields_saved`: this load follows a save of the fields from this view, which the editors show."""
        if self.data.shown["terminal"]:
            self.render_step()  # a hint and at most the 留党察看 box: cheap to build again
            return
        boxes = self.step_boxes()
        if [name for name, _b, _k in boxes] != list(self.boxes):
            # the step itself changed under the open visit (newer rules installed): all built
            # again, the user's edits put back
            edits = self.changed_values().get("values", {})
            self.render_step()
            for fid, value in edits.items():
                if fid in self.editors:
                    self.editors[fid].set_value(value)
            self.update_dirty()
            return
        scroll = self.scroll.verticalScrollBar().value()
        self.step_content.setUpdatesEnabled(False)
        for name, build, key in boxes:
            old, old_key = self.boxes[name]
            if key == old_key:
                continue
            if name == "fields" and fields_saved:
                self.boxes[name] = (old, key)
                continue
            self.replace_box(name, old, build, key)
        self.step_content.setUpdatesEnabled(True)
        self.scroll.verticalScrollBar().setValue(scroll)

    def replace_box(self, name: str, old: QWidget, build: Callable[[], QWidget], key) -> None:
        """Swap one box for a fresh one; focus inside it moves to the control of the same name."""
        focused = QApplication.focusWidget()
        focus_name = focused.objectName() if focused is not None and old.isAncestorOf(focused) else None
        if name == "fields":
            edits = self.changed_values().get("values", {})
        new = build()
        self.step_column.replaceWidget(old, new)
        new.show()  # now, so that it can take the focus below
        self.boxes[name] = (new, key)
        if name == "fields":
            for fid, value in edits.items():
                if fid in self.editors:
                    self.editors[fid].set_value(value)
            self.update_dirty()
        if focus_name is not None:
            target = new.findChild(QWidget, focus_name) if focus_name else None
            if target is None or not target.isEnabled():
                target = next(focusable(new), self.scroll)
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        old.hide()
        old.deleteLater()

    def release_focus(self, area: QWidget) -> None:
        """Before `area`'s widgets are deleted: focus in it goes to the step's scroll area, not to
        whatever Qt picks next (the navigation list, where a keystroke would leave the case)."""
        focused = QApplication.focusWidget()
        if focused is not None and area.isAncestorOf(focused):
            self.scroll.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_first_open(self) -> None:
        """The first thing to do on this step: an open checklist item, else its first enabled control."""
        open_items = (c for c in self.checks.values() if not c.isChecked() and c.isEnabled())
        target = next(open_items, None) or next(focusable(self.step_content), self.back_button)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def checklist_box(self) -> QGroupBox:
        step, done = self.step, set(self.data.shown["checklist_done"])
        needed_by: dict[str, list[str]] = {}
        for d in step.decisions:
            for item_id in d.requires_items:
                needed_by.setdefault(item_id, []).append(d.title)
        box = QGroupBox(f"必办事项（已完成 {len(done & {i.id for i in step.checklist})}/{len(step.checklist)}）")
        column = QVBoxLayout(box)
        for item in step.checklist:
            row = QHBoxLayout()
            check = WrapCheckBox(item.label)
            check.setObjectName(f"check_{item.id}")
            check.setChecked(item.id in done)
            check.setEnabled(not self.read_only)
            check.toggled.connect(lambda on, item_id=item.id: self.toggle_item(item_id, on))
            self.checks[item.id] = check
            note = "必办" if item.required else ("选择“" + "”“".join(needed_by[item.id]) + "”时必办") \
                if item.id in needed_by else "按需办理"
            tag = QLabel(note)
            tint(tag, ERROR_COLOR if item.required and item.id not in done else HINT_COLOR)
            row.addWidget(check, 1)
            short = len(note) <= SHORT_TAG_CHARS
            if short:
                row.addWidget(tag)
            if item.help:
                help_button = QToolButton()
                help_button.setText("说明")
                help_button.setToolTip(item.help)
                help_button.clicked.connect(lambda _=False, it=item: self.show_item_help(it))
                row.addWidget(help_button)
            column.addLayout(row)
            if not short:
                # which decisions need it: a line of its own under the item, not a squeezed column beside it
                tag.setWordWrap(True)
                tag.setContentsMargins(check.indicator_width(), 0, 0, 0)
                column.addWidget(tag)
        return box

    def fields_box(self) -> QGroupBox:
        step, values = self.step, self.data.shown["fields"]
        intake = step.id == self.data.rules.workflow.initial_step
        box = QGroupBox("本环节信息")
        column = QVBoxLayout(box)
        if intake:
            column.addWidget(hint_label(INTAKE_NOTE))
        self.field_form = Form()
        # labels above their fields when the column is narrow (scaling, guidance shown)
        self.field_form.rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.saved_values = {}
        for f in step.fields:
            editor = make_editor(f)
            editor.setObjectName(f"field_{f.id}")
            value = values.get(f"{step.id}.{f.id}")
            editor.set_value(list(value) if isinstance(value, tuple) else value)
            self.saved_values[f.id] = editor.value()
            editor.set_read_only(self.read_only or intake)
            editor.sig_changed.connect(self.update_dirty)
            editor.sig_changed.connect(lambda fid=f.id: self.field_form.set_error(fid, ""))
            self.editors[f.id] = self.field_form.add_row(f.id, field_label(f), editor, f.help or None)
        column.addWidget(self.field_form)
        if not (self.read_only or intake):
            self.save_button = QPushButton("保存本环节信息")
            self.save_button.setObjectName("save_fields")
            self.save_button.clicked.connect(lambda: self.save_fields())
            self.dirty_label = QLabel("")
            tint(self.dirty_label, ERROR_COLOR)
            row = QHBoxLayout()
            row.addWidget(self.dirty_label, 1)
            row.addWidget(self.save_button)
            column.addLayout(row)
            self.update_dirty()
        return box

    def study_box(self) -> QGroupBox:
        studies = [s for s in self.data.details.studies if s.current]
        box = QGroupBox("集体研究")
        column = QVBoxLayout(box)
        if studies:
            for s in studies:
                label = QLabel(f"{s.held_on.isoformat()}，参加：{'、'.join(s.attendees)}（{len(s.attendees)}人）。"
                               f"研究意见：{s.conclusion}")
                label.setWordWrap(True)
                column.addWidget(label)
        else:
            column.addWidget(hint_label("本环节还没有集体研究记录。需要集体研究的决定，录入记录后才能作出。"))
        button = QPushButton("录入集体研究…")
        button.setObjectName("record_study")
        button.setEnabled(not self.read_only)
        button.clicked.connect(self.open_study)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        column.addLayout(row)
        return box

    def sanction_box(self) -> QGroupBox:
        step, catalog = self.step, self.data.rules.catalog
        box = QGroupBox("处分或处理意见")
        column = QVBoxLayout(box)
        proposed = self.data.details.proposed_sanctions
        people = self.data.shown["subjects"]
        several = len(people) > 1
        names = {p["id"]: p["name"] for p in people}
        for x in proposed:
            row = QHBoxLayout()
            kind = catalog.get(x.type_id)
            whom = f"对{names[x.subject]}" if several and x.subject in names else ""
            row.addWidget(wrapped_label(f"{whom}拟给予：{KIND_LABELS.get(kind.kind, kind.kind)} · {kind.name}"), 1)
            remove = QPushButton("撤销")
            remove.setEnabled(not self.read_only)
            remove.clicked.connect(lambda _=False, x=x: self.act(
                {"type": "record_sanction", "type_id": x.type_id, "remove": True, **({"subject": x.subject} if x.subject else {})},
                f"已撤销“{catalog.get(x.type_id).name}”。"))
            row.addWidget(remove)
            column.addLayout(row)
        decided = [(p["name"], x) for p in people for x in p["sanctions"] if x["decided_on"]]
        for name, x in decided:
            end = f"，影响期至 {x['effect_end']}" if x["effect_end"] and x["effect_end"] != x["decided_on"] else ""
            whom = f"{name}：" if several else ""
            watch = x.get("probation")
            if watch:  # 察看期满的处理 is entered with the action end_probation ([P] 第二十一条)
                end += f"；已{watch['outcome']}" if watch["outcome"] else f"；察看期至 {watch['until']}"
            column.addWidget(wrapped_label(f"已生效：{whom}{x['name']}（{x['decided_on']}{end}）"))
        for p in people:
            if p["outcome"] and several:
                column.addWidget(wrapped_label(f"{p['name']}：已{p['outcome']}（{p['closed_on']}）"))
        if not proposed and not decided:
            column.addWidget(hint_label("尚未录入拟给予的处分或处理。"))
        self.sanction_choice = QComboBox()
        self.sanction_choice.setObjectName("sanction_choice")
        # as wide as the column allows, not as wide as its longest entry
        self.sanction_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sanction_choice.setMinimumContentsLength(10)
        # 事业单位 kinds follow the 人员类别 (管理人员 or not): offer those that fit someone still in the case
        categories = {p["particulars"].get("category", "") for p in people if not p["outcome"]}
        for kind in step.sanction_kinds:
            for t in catalog.of_kind(kind):
                if any(t.category_problem(c) is None for c in categories):
                    self.sanction_choice.addItem(f"{KIND_LABELS.get(kind, kind)} · {t.name}", t.id)
        if "public_institution" in step.sanction_kinds and not any(
                t.category_problem(c) is None for t in catalog.of_kind("public_institution") for c in categories):
            column.addWidget(hint_label("事业单位处分按人员类别提供（事业单位管理人员、事业单位其他工作人员的处分种类不同），"
                                        "需要时请先在基本信息中填写人员类别。"))
        add = QPushButton("录入")
        add.setObjectName("record_sanction")
        add.setEnabled(not self.read_only)
        add.clicked.connect(self.record_sanction)
        row = QHBoxLayout()
        still_in = [p for p in people if not p["outcome"]]
        self.sanction_subject = None
        if len(still_in) > 1:
            self.sanction_subject = QComboBox()
            self.sanction_subject.setObjectName("sanction_subject")
            self.sanction_subject.setAccessibleName("对谁")
            for p in still_in:
                self.sanction_subject.addItem(p["name"], p["id"])
            row.addWidget(QLabel("对"))
            row.addWidget(self.sanction_subject)
        row.addWidget(QLabel("拟给予"))
        row.addWidget(self.sanction_choice, 1)
        row.addWidget(add)
        column.addLayout(row)
        return box

    def documents_box(self) -> QGroupBox:
        """The step's documents: generate (numbered, kept in the store), open in Word/WPS, see the version."""
        box = QGroupBox("该环节应制作的文书")
        column = QVBoxLayout(box)
        required = {d.template: d.required for d in self.step.documents}
        self.document_buttons = {}
        shown = [t for t in self.data.templates if t.current_step]
        several = len({t.subject_id for t in shown if t.subject_id}) > 1
        for t in shown:
            doc = self.data.documents.get(t.latest_document_id) if t.latest_document_id else None
            key = f"{t.template_id}_{t.subject_id}" if several and t.subject_id else t.template_id
            row = QHBoxLayout()
            who = f"（{t.subject_name}）" if t.subject_name else ""
            title = QLabel(t.title + who + ("（必须制作）" if required.get(t.template_id) else ""))
            title.setObjectName(f"document_{key}")
            title.setWordWrap(True)
            if doc is not None and doc.voided:
                status = f"第{doc.version}版{('，' + doc.number) if doc.number else ''}已作废：{doc.void_reason}"
            elif doc is not None:
                status = f"已生成第{doc.version}版" + (f"，{doc.number}" if doc.number else "")
            else:
                status = "未生成"
            if t.not_now:
                status += f"（现在不能制作：{t.not_now}）"
            state = QLabel(status)
            state.setObjectName(f"document_state_{key}")
            state.setWordWrap(True)
            tint(state, ERROR_COLOR if not doc and required.get(t.template_id) else HINT_COLOR)
            text = QVBoxLayout()
            text.setSpacing(2)
            text.addWidget(title)
            text.addWidget(state)
            live = doc is not None and not doc.voided
            make = QPushButton("重新生成" if live else "生成")
            make.setObjectName(f"render_{key}")
            make.setToolTip(t.not_now or "按模板生成，编号自动取用；重新生成得到新的一版，旧版保留。")
            make.setEnabled(not self.read_only and not t.not_now)
            make.clicked.connect(lambda _=False, tid=t.template_id, title=t.title + who, sid=t.subject_id:
                                 self.render_document(tid, title, sid))
            row.addLayout(text, 1)
            # the row's buttons together, the title's buddy: "生成" of this document, not of another
            actions = QWidget()
            buttons = QHBoxLayout(actions)
            buttons.setContentsMargins(0, 0, 0, 0)
            title.setBuddy(actions)
            row.addWidget(actions)
            buttons.addWidget(make)
            if doc is not None:
                open_button = QPushButton("打开")
                open_button.setObjectName(f"open_{key}")
                open_button.setToolTip("在 WPS 或 Word 中打开；修改并保存后回到本窗口，可存为新的一版。")
                open_button.clicked.connect(lambda _=False, d=doc: self.open_document(d.document_id))
                buttons.addWidget(open_button)
            if live:
                void_button = QPushButton("作废")
                void_button.setObjectName(f"void_{key}")
                void_button.setToolTip("作废这份文书：各版本保留，编号不再使用，案卷中注明作废。")
                void_button.setEnabled(not self.read_only)
                void_button.clicked.connect(lambda _=False, d=doc: self.void_document(d))
                buttons.addWidget(void_button)
            self.document_buttons[key] = make
            column.addLayout(row)
        if any(d.template == "dossier_catalog" for d in self.step.documents):
            column.addLayout(self.dossier_row())
        column.addWidget(hint_label("生成的文书保存在加密数据库中。打开后在文字处理软件里修改、保存，"
                                    "回到本窗口时会提示把修改存为新的一版；锁定时也会自动保存修改。"))
        return box

    def render_document(self, template_id: str, title: str, subject_id: str | None = None) -> None:
        store, case_id = self.ctx.store, self.case_id

        def run():
            from app.services import documents

            return documents.render(store, case_id, template_id, subject=subject_id)

        def done(result) -> None:
            blanks = f"以下内容案件中还没有，已留出空白待填写：{'、'.join(result.blanks)}。" if result.blanks else ""
            number = f"，编号 {result.number}" if result.number else ""
            self.after_write(f"已生成《{result.title}》第{result.version}版{number}。{blanks}")

        self.ctx.runner.run(run, on_done=self.for_case(done), on_error=self.for_case(self.on_refused),
                            label=f"正在生成《{title}》……", parent=self)

    def void_document(self, doc) -> None:
        """作废 after the user gives the reason; nothing changes when they cancel."""
        label = f"《{doc.title}》" + (f"（{doc.number}）" if doc.number else "")
        reason = self.ctx.prompter.text(self, f"作废{label}：各版本保留，编号不再使用，案卷中注明作废。请写明作废原因：",
                                        "作废文书")
        if not reason or not reason.strip():
            return
        store = self.ctx.store

        def run():
            from app.services import documents

            return documents.void(store, doc.document_id, reason)

        self.ctx.runner.run(run, on_done=self.for_case(lambda row: self.after_write(f"已作废{label}。")),
                            on_error=self.for_case(self.on_refused), label="正在作废文书……", parent=self)

    def dossier_row(self) -> QHBoxLayout:
        """组卷 at the step that files the case: the whole volume as one Word file, or as PDF where LibreOffice is."""
        from app.documents import pdf

        laid_out = pdf.available()
        row = QHBoxLayout()
        row.addWidget(hint_label("组卷：案卷封面、卷内目录、全部文书（按归档顺序）和卷内备考表合成一份文件。"
                                 + ("页号按 LibreOffice 排版的实际页数填写。" if laid_out else
                                    "本机没有 LibreOffice：页号标为“未排版”，须在文字处理软件中按实际页码填写；不能组卷为 PDF。")), 1)
        for name, title, as_pdf in (("dossier_docx", "组卷（Word）", False), ("dossier_pdf", "组卷（PDF）", True)):
            button = QPushButton(title)
            button.setObjectName(name)
            button.setEnabled(laid_out or not as_pdf)
            if as_pdf and not laid_out:
                button.setToolTip("需要安装 LibreOffice 才能生成 PDF。")
            button.clicked.connect(lambda _=False, p=as_pdf: self.build_dossier(as_pdf=p))
            row.addWidget(button)
        return row

    def build_dossier(self, *, as_pdf: bool) -> None:
        suffix, file_filter = (".pdf", "PDF 文件 (*.pdf)") if as_pdf else (".docx", "Word 文档 (*.docx)")
        chosen = self.ctx.prompter.save_file(self, "组卷", f"{self.data.shown['number']}案卷{suffix}", file_filter)
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != suffix:
            target = target.with_name(target.name + suffix)
        store, case_id = self.ctx.store, self.case_id

        def run():  # LibreOffice lays every document out: seconds to a minute, never on the GUI thread
            from app.services import dossier_volume

            return dossier_volume.build_dossier(store, case_id, out=None if as_pdf else target, pdf_out=target if as_pdf else None)

        def done(result) -> None:
            pages = (f"卷内文件共{result.pages}页" if result.pages is not None
                     else "页号未排版（本机没有 LibreOffice），请在文字处理软件中按实际页码填写")
            self.show_notice(f"已组卷：{result.documents}份文书，{pages}。文件：{target}")

        self.ctx.runner.run(run, on_done=self.for_case(done), on_error=self.for_case(self.on_refused),
                            label="正在组卷（排版计算页号）……", parent=self)

    def open_document(self, document_id: str) -> None:
        """A private plain copy for the word processor; changes come back when this window is active again."""
        from app.services import document_files

        try:
            session = document_files.export_for_editing(self.ctx.store, document_id)
        except Exception as exc:
            self.show_refusal(f"未能打开文书：{error_message(exc)}")
            return
        self.edit_sessions.append((self.case_id, session))
        if self.open_external(session.path):
            # the desktop may accept the request and still find no program: say where the file is either way
            self.show_notice(f"正在用本机的文字处理软件打开《{session.title}》。如果没有打开，文件在：{session.path}")
        else:
            self.show_refusal(f"本机没有能打开 .docx 文件的程序。文书已导出到：{session.path}")

    @staticmethod
    def open_external(path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def on_app_state(self, state) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.offer_edited_versions()

    def offer_edited_versions(self) -> None:
        """Files saved in the word processor since they were opened: keep them as new versions?"""
        from app.services import document_files

        for index, (case_id, session) in enumerate(list(self.edit_sessions)):
            if not document_files.changed_since_export(session):
                continue
            if not self.ctx.prompter.confirm(self, f"《{session.title}》已在文字处理软件中修改并保存。要把修改后的文件存为新的一版吗？",
                                             "存为新的一版"):
                continue
            try:
                row, updated = document_files.store_edited_version(self.ctx.store, session)
            except Exception as exc:
                self.show_refusal(f"未能保存修改后的文书：{error_message(exc)}")
                continue
            self.edit_sessions[index] = (case_id, updated)
            if case_id == self.case_id and self.isVisible():
                self.after_write(f"已把修改后的《{row.title}》存为第{row.version}版。")
            else:  # a document of a case opened before: its lists reload, this view stays as it is
                self.ctx.sig_data_changed.emit()

    def decisions_box(self) -> QGroupBox:
        wf = self.data.rules.workflow
        box = QGroupBox("作出决定")
        column = QVBoxLayout(box)
        rules = {d.id: d for d in self.step.decisions}
        for option in self.data.shown["decisions"]:
            button = QPushButton(option["title"])
            button.setObjectName(f"decide_{option['id']}")
            button.setEnabled(option["enabled"] and (not self.read_only or self.can_reopen))
            button.clicked.connect(lambda _=False, o=option: self.open_decision(o["id"]))
            target = wf.steps[option["target"]].title if option["target"] in wf.steps else option["target"]
            approval = f"须经{option['approver_role']}审批。" if option["approver_role"] else ""
            if option["enabled"]:
                reason = f"转入“{target}”。{approval}{rules[option['id']].help if option['id'] in rules else ''}"
                color = HINT_COLOR
            else:
                reason = "暂不能选：\n" + "\n".join(f"• {p['message']}。" for p in option["problems"])
                color = ERROR_COLOR
            label = QLabel(reason)
            label.setObjectName(f"reason_{option['id']}")
            label.setWordWrap(True)
            tint(label, color)
            label.setContentsMargins(12, 0, 0, 0)
            self.decision_buttons[option["id"]] = button
            self.decision_reasons[option["id"]] = label
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            column.addLayout(row)
            column.addWidget(label)
            column.addSpacing(4)
        return box

    # --- right-hand tabs -----------------------------------------------------------------

    def render_info(self) -> None:
        self.release_focus(self.info_box)
        clear_layout(self.info_form)
        shown, details = self.data.shown, self.data.details
        flags = {p["name"]: p["flag_labels"] for p in shown["persons"]}

        def add(label: str, text: str) -> QLabel:
            value = QLabel(text or "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.info_form.addRow(label, value)
            return value

        add("线索编号", shown["clue_number"])
        if shown["number"] != shown["clue_number"]:
            add("立案编号", shown["number"])
        add("收件日期", shown["received_on"])
        add("线索来源", details.source)
        add("来文编号", details.incoming_no)
        add("问题性质", "、".join(details.categories))
        add("主要问题", shown["summary"])
        add("领导批示", details.leader_instruction)
        # 重复检举控告 are registered and linked to the earlier clue (处理检举控告工作规则第十四条)
        if shown["repeat_of"]:
            add("重复件，原线索", "、".join(link_text(r) for r in shown["repeat_of"]))
        if shown["repeated_by"]:
            add("此后的重复件", "、".join(link_text(r) for r in shown["repeated_by"]))
        for p in details.persons:
            marks = flags.get(p.name, [])
            text = "，".join(x for x in (p.unit, p.post, p.rank, p.category, p.political_status) if x)
            label = add(f"被反映人：{p.name}" + (EFFECT_MARK if "处分影响期内" in marks else ""),
                        text + ("　⚠ " + "、".join(marks) if marks else ""))
            if marks:
                tint(label, ERROR_COLOR)
        reporter = "实名举报" if details.real_name else "匿名或未署名"
        if details.reporter_recorded:
            reporter += "，已录入举报人信息"
        reporter_row = QWidget()
        row = QHBoxLayout(reporter_row)
        row.setContentsMargins(0, 0, 0, 0)
        admin = self.ctx.store.account.is_admin
        row.addWidget(QLabel(reporter + ("" if admin else "（＊＊＊，须书记/管理员确认才能查看）")), 1)
        if admin or details.reporter_recorded:
            show = QPushButton("查看举报人信息…" if admin else "请书记/管理员确认后查看…")
            show.setObjectName("show_reporter")
            show.setToolTip("查看将记入审计日志。")
            show.clicked.connect(self.open_reporter)
            row.addWidget(show)
        self.info_form.addRow("举报人", reporter_row)
        if not self.read_only and not shown["terminal"]:
            merge = QPushButton("并入其他案件…")
            merge.setObjectName("merge_case")
            merge.setToolTip("同一人或相互关联的问题，经批准并入另一案件一并办理。")
            merge.clicked.connect(self.open_merge)
            self.info_form.addRow("并案", merge)
        for x in shown["sanctions"]:
            state = f"{x['decided_on']} 生效" + (f"，影响期至 {x['effect_end']}" if x["effect_end"] else "") \
                if x["decided_on"] else "拟给予，尚未决定"
            add("处分（处理）", f"{x['name']}（{state}）")

    def show_item_help(self, item) -> None:
        self.guidance.setHtml(guidance_html(self.step, item))
        self.tabs.setCurrentWidget(self.guidance)

    # --- field edits ---------------------------------------------------------------------

    def changed_values(self) -> dict:
        values = {fid: editor.value() for fid, editor in self.editors.items()}
        changed = {fid: v for fid, v in values.items() if v != self.saved_values.get(fid)}
        return {"step": self.data.shown["step"], "values": changed} if changed else {}

    @property
    def dirty(self) -> bool:
        return bool(self.data is not None and not self.read_only and self.changed_values())

    def update_dirty(self) -> None:
        label = self.dirty_label
        if label is not None:
            count = len(self.changed_values().get("values", {}))
            label.setText(f"有 {count} 项修改尚未保存。" if count else "")

    def save_fields(self, then: Callable[[], None] | None = None) -> None:
        self.field_form.clear_errors()
        problems = {fid: e.problem() for fid, e in self.editors.items() if e.problem()}
        for fid, text in problems.items():
            self.field_form.set_error(fid, text)
        if problems:
            self.show_refusal("本环节信息未保存：请按各项下方的提示改正。")
            return
        changed = self.changed_values().get("values", {})
        if not changed:
            if then is not None:
                then()
            return
        self.act({"type": "set_fields", "values": changed}, f"已保存本环节信息（{len(changed)} 项）。", then=then)

    # --- actions -------------------------------------------------------------------------

    def act(self, action: dict, notice: str, then: Callable[[], None] | None = None) -> None:
        store, case_id = self.ctx.store, self.case_id

        def run():
            from app.services import cases

            return cases.act(store, case_id, action)

        def done(_result) -> None:
            if action["type"] == "set_fields":
                self.saved_values.update(action["values"])
                self.fields_saved = True
                self.update_dirty()
            self.after_write(notice, then)

        self.ctx.runner.run(run, on_done=self.for_case(done), on_error=self.for_case(self.on_refused),
                            label="正在保存……", parent=self)

    def for_case(self, callback: Callable[[object], None]) -> Callable[[object], None]:
        """`callback` for a background result, dropped if this view has moved on to another case."""
        case_id = self.case_id
        return lambda value: callback(value) if self.case_id == case_id else None

    def after_write(self, notice: str, then: Callable[[], None] | None = None) -> None:
        self.show_notice(notice)
        self.ctx.sig_data_changed.emit()
        self.reload(then)

    def on_refused(self, exc: BaseException) -> None:
        """The engine's reasons: beside the field they concern, the rest in the red banner."""
        problems = getattr(exc, "problems", ())
        rest = []
        for p in problems:
            field = dict(p.detail).get("field")
            if p.code in FIELD_PROBLEMS and field in self.editors:
                self.field_form.set_error(field, p.message + "。")
            else:
                rest.append(p.message)
        if not problems:
            rest.append(error_message(exc))
        self.show_refusal("未能办理：" + ("；".join(rest) + "。" if rest else "请按各项下方的提示改正。"))
        if rest:
            # e.g. a checkbox the engine refused goes back to what is stored: its box is built again
            self.boxes = {name: (box, key if name == "fields" else None) for name, (box, key) in self.boxes.items()}
            self.reload()

    def show_notice(self, text: str) -> None:
        self.refusal.hide()
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_refusal(self, text: str) -> None:
        self.notice.hide()
        self.refusal.setText(text)
        self.refusal.setVisible(bool(text))

    def toggle_item(self, item_id: str, on: bool) -> None:
        label = self.step.item(item_id).label
        self.act({"type": "complete_item", "item_id": item_id, "done": on},
                 f"已{'完成' if on else '取消'}：{label}。")

    def record_sanction(self) -> None:
        type_id = self.sanction_choice.currentData()
        if type_id:
            name = self.data.rules.catalog.get(type_id).name
            action = {"type": "record_sanction", "type_id": type_id}
            whom = ""
            if self.sanction_subject is not None:
                action["subject"] = self.sanction_subject.currentData()
                whom = f"对{self.sanction_subject.currentText()}"
            self.act(action, f"已录入{whom}拟给予的“{name}”。")

    def open_dialog(self, dialog):
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def running_probations(self) -> list[tuple[dict, dict]]:
        """(person, sanction) of each 留党察看 not yet ended by 恢复党员权利 or 开除党籍."""
        return [(p, x) for p in self.data.shown["subjects"] for x in p["sanctions"]
                if x.get("probation") and not x["probation"]["outcome"]]

    def probation_box(self) -> QGroupBox:
        """Running 留党察看期 of the case's persons, at any step: archived cases end them too ([P] 第二十一条)."""
        box = QGroupBox("留党察看期满处理")
        column = QVBoxLayout(box)
        for p, x in self.running_probations():
            row = QHBoxLayout()
            row.addWidget(wrapped_label(f"{p['name']}：{x['name']}，察看期至 {x['probation']['until']}"
                                        f"{'（已延长一年）' if x['probation']['extended'] else ''}"), 1)
            button = QPushButton("察看期满处理…")
            button.setObjectName(f"end_probation_{p['id']}")
            button.setEnabled(self.data.details.owned)
            button.clicked.connect(lambda _=False, p=p, x=x: self.open_probation(p, x))
            row.addWidget(button)
            column.addLayout(row)
        return box

    def open_take_over(self) -> TakeOverDialog:
        dialog = TakeOverDialog(self.ctx, self.case_id, self.data.shown["number"], self)
        dialog.sig_done.connect(lambda r: self.after_write(f"已录入提级办理决定 {r.number}，将随下一个下发数据包送达乡镇。"))
        return self.open_dialog(dialog)

    def open_probation(self, subject: dict, sanction: dict) -> ProbationDialog:
        dialog = ProbationDialog(self.ctx, self.case_id, subject, sanction, self)
        dialog.sig_done.connect(lambda _r: self.after_write(f"已录入对{subject['name']}的察看期满处理。"))
        return self.open_dialog(dialog)

    def open_study(self) -> StudyDialog:
        last = next((s.attendees for s in reversed(self.data.details.studies)), ())
        dialog = StudyDialog(self.ctx, self.case_id, self.step.title, self.data.rules.workflow.study_min_attendees,
                             last, self)
        dialog.sig_done.connect(lambda _r: self.after_write("已录入集体研究记录。"))
        return self.open_dialog(dialog)

    def open_decision(self, decision_id: str):
        """Ask for the decision's date (and approver); unsaved field edits are saved first."""
        option = next(o for o in self.data.shown["decisions"] if o["id"] == decision_id)
        if self.dirty:
            self.save_fields(then=lambda: self.open_decision(decision_id) if not self.dirty else None)
            return None
        wf = self.data.rules.workflow
        rule = self.step.decision(decision_id)
        target = wf.steps[option["target"]].title if option["target"] in wf.steps else option["target"]
        dialog = DecisionDialog(self.ctx, self.case_id, option, target, rule.help if rule else "", self)

        def decided(_result) -> None:
            # the case moves on to another step, all drawn anew once loaded: until then the old step
            # is not painted again where the closing dialog uncovers it
            self.setUpdatesEnabled(False)
            self.after_write(f"已作出决定“{option['title']}”，案件转入“{target}”。")

        dialog.sig_done.connect(decided)
        return self.open_dialog(dialog)

    def open_extension(self, deadline_id: str):
        d = next(x for x in self.data.shown["deadlines"] if x["id"] == deadline_id)
        rule = self.data.rules.workflow.deadline(deadline_id)
        dialog = ExtensionDialog(self.ctx, self.case_id, d, rule.extension, rule.note, self)
        dialog.sig_done.connect(lambda _r: self.after_write(f"已延长期限“{d['title']}”。"))
        return self.open_dialog(dialog)

    def open_reporter(self):
        """The identity, for an administrator; a 工作人员 sees it read-only once an administrator
        confirmed with their own password (its key opens only with theirs; the view is audited)."""
        from app.services import reporters

        admin = self.ctx.store.account.is_admin
        if admin:
            try:
                view = reporters.reveal(self.ctx.store, self.data.details.clue_id)
            except Exception as exc:
                self.ctx.prompter.error(self, error_message(exc))
                return None
            return self.show_reporter(view, read_only=False)
        confirm = administrator_for(self.ctx, self, "查看举报人信息", "举报人身份信息的密钥")
        if confirm is None:
            return None
        store, clue_id = self.ctx.store, self.data.details.clue_id

        def reveal():
            with confirm():
                return reporters.reveal(store, clue_id)

        self.ctx.runner.run(reveal, on_done=self.for_case(lambda view: self.show_reporter(view, read_only=True)),
                            on_error=self.for_case(lambda exc: self.ctx.prompter.error(self, error_message(exc))),
                            label="正在确认……", parent=self)
        return None

    def show_reporter(self, view, *, read_only: bool):
        dialog = ReporterDialog(self.ctx, view, self, read_only=read_only)
        dialog.sig_done.connect(lambda _r: self.after_write("已保存举报人信息。"))
        dialog.rejected.connect(lambda: self.reload())  # the view itself is audited: the history shows it
        return self.open_dialog(dialog)

    # --- leaving and locking ---------------------------------------------------------------

    def request_leave(self, then: Callable[[], None]) -> None:
        """Run `then` once unsaved field edits are saved or given up; not at all on 取消."""
        if not self.dirty:
            then()
            return
        answer = self.ctx.prompter.choose(self, "本环节信息有修改尚未保存。离开前要保存吗？", ("保存", "放弃修改", "取消"))
        if answer == 0:
            self.save_fields(then=lambda: then() if not self.dirty else None)
        elif answer == 1:
            then()

    def draft(self) -> dict | None:
        """The case shown and its unsaved edits, kept by the controller across a lock."""
        if self.data is None:
            return {"case_id": self.case_id}
        return {"case_id": self.case_id, "pending": self.changed_values() or None}

    def restore_draft(self, draft: dict) -> None:
        self.pending = draft.get("pending")

    def switch_to(self, case_id: str, draft: dict | None = None) -> None:
        """Show another case in this view: emptying it costs far less than building a new one.
        Results still on their way for the case shown before are dropped when they arrive."""
        self.empty()
        self.case_id = case_id
        self.pending = draft.get("pending") if draft else None
        self.reload()

    def empty(self) -> None:
        """Nothing of the case shown stays in the view. Also done once the user has left the case
        (MainWindow.leave_case), so that opening the next one does not first tear this one down."""
        self.data = None
        self.pending = None
        self.step_content.setUpdatesEnabled(False)
        clear_layout(self.step_column)
        self.step_content.setUpdatesEnabled(True)
        self.editors, self.checks, self.decision_buttons, self.decision_reasons = {}, {}, {}, {}
        self.boxes, self.saved_values, self.document_buttons = {}, {}, {}
        self.field_form = self.dirty_label = None
        self.fields_saved = False
        self.side_shown = {}
        self.clear_subject_tabs()  # another case's people never show beside this one
        self.chip_flow.clear()
        self.chips = {}
        for label in (self.title, self.meta):
            label.setText("")
        for label in (self.notice, self.refusal, self.warning):
            label.hide()
        clear_layout(self.info_form)
        self.history_model.set_rows([])
        self.guidance.clear()


