"""Dialogs of the case screen: collective study, a decision, a deadline extension, reporter identity.

Each one builds a workflow action, hands it to `cases.act` off the GUI thread, and on refusal
shows the engine's reasons beside the fields they concern (the dialog stays open, nothing is
lost); on success it closes and emits `sig_done`.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.rules import UNITS
from app.ui.errors import error_message
from app.ui.field_editors import DateEditor, ListEditor, LongTextEditor
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import FitScrollArea, Form, hint_label, message_label, resize_within_screen, screen_room, show_message

DIALOG_WIDTH = 560


def dialog_width(dialog: QWidget) -> int:
    room = screen_room(dialog)
    return min(DIALOG_WIDTH, room.width() - 40) if room is not None else DIALOG_WIDTH


class SavingDialog(QDialog):
    """A dialog that will not close while its save runs: closed then, the result would find no one
    to take it (app/ui/tasks.py drops it) and the case view would not show what was written."""

    saving = False

    def reject(self) -> None:
        if not self.saving:
            super().reject()

    def run_save(self, fn, on_done, on_error) -> None:
        self.saving = True

        def finish(callback, value) -> None:
            self.saving = False
            callback(value)

        self.ctx.runner.run(fn, on_done=lambda r: finish(on_done, r), on_error=lambda e: finish(on_error, e),
                            label="正在保存……", parent=self)


class ActionDialog(SavingDialog):
    """A form whose OK runs one workflow action on the case; `FIELD_OF` maps problem codes to fields."""

    sig_done = Signal(object)
    FIELD_OF: dict[str, str] = {}

    def __init__(self, ctx: SessionContext, case_id: str, title: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.setWindowTitle(title)
        self.heading = QLabel(title)
        self.heading.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.heading.setWordWrap(True)
        self.intro = hint_label("")
        self.intro.hide()
        self.form = Form()
        self.message = message_label()
        self.message.setObjectName("dialog_message")
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.intro)
        column.addSpacing(6)
        column.addWidget(self.form)
        column.addWidget(self.message)
        column.addStretch(1)
        outer = QVBoxLayout(self)
        # the fields scroll when the screen is too low for them (1366×768 at 150 % is 910×512), rather
        # than being squeezed to slivers by a dialog that Qt opens no taller than 2/3 of the screen
        outer.addWidget(FitScrollArea(body), 1)
        outer.addLayout(buttons)
        self.setMinimumWidth(dialog_width(self))

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(bool(text))

    def action(self) -> dict | None:
        """The action to run, or None after showing what to fix."""
        raise NotImplementedError

    def submit(self) -> None:
        self.form.clear_errors()
        show_message(self.message, "")
        action = self.action()
        if action is None:
            return
        store, case_id = self.ctx.store, self.case_id
        self.ok_button.setEnabled(False)
        self.run_save(lambda: self.perform(store, case_id, action), self.on_done, self.on_error)

    @staticmethod
    def perform(store, case_id: str, action: dict):
        """Runs off the GUI thread: the action on the case."""
        from app.services import cases

        return cases.act(store, case_id, action)

    def on_done(self, result) -> None:
        self.ok_button.setEnabled(True)
        # first: the case view starts loading the case again, and the worker does that while
        # the dialog closes here
        self.sig_done.emit(result)
        self.accept()

    def on_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        problems = getattr(exc, "problems", ())
        others = []
        for problem in problems:
            key = self.FIELD_OF.get(problem.code)
            if key and key in self.form.errors:
                self.form.set_error(key, problem.message + "。")
            else:
                others.append(problem.message)
        if not problems:
            others.append(error_message(exc))
        if others:
            show_message(self.message, "未能保存：" + "；".join(others) + "。")
        wanted = self.sizeHint()  # grow to show the whole message (as far as the screen allows; then it scrolls)
        resize_within_screen(self, max(self.width(), wanted.width()), max(self.height(), wanted.height()))


def date_problem(editor: DateEditor, what: str) -> str:
    problem = editor.problem()
    if problem:
        return problem
    value = editor.date_value()
    if value is None:
        return f"请填写{what}。"
    if value > date.today():
        return f"{what}不能晚于今天。"
    return ""


class StudyDialog(ActionDialog):
    """集体研究: the date, who took part, and what was concluded."""

    FIELD_OF = {"date_before_step": "held_on", "date_in_future": "held_on", "study_attendees_missing": "attendees",
                "study_conclusion_missing": "conclusion"}

    def __init__(self, ctx: SessionContext, case_id: str, step_title: str, min_attendees: int,
                 attendees: tuple[str, ...] = (), parent: QWidget | None = None):
        super().__init__(ctx, case_id, f"录入集体研究：{step_title}", "保存集体研究记录", parent)
        self.min_attendees = min_attendees
        self.set_intro(f"重要事项须经纪委会议等集体研究后再报批。请照会议记录录入：研究日期、参加人员（至少 {min_attendees} 人）和研究意见。")
        self.held_on = self.form.add_row("held_on", "研究日期", DateEditor())
        self.held_on.set_value(date.today().isoformat())
        self.attendees = self.form.add_row("attendees", "参加人员", ListEditor(),
                                           "用顿号“、”或逗号分隔，例如：张书记、李副书记、王委员")
        self.attendees.set_value(list(attendees))
        self.conclusion = self.form.add_row("conclusion", "研究意见", LongTextEditor(lines=4))

    def action(self) -> dict | None:
        problems = {}
        held = date_problem(self.held_on, "研究日期")
        if held:
            problems["held_on"] = held
        people = self.attendees.value() or []
        if len(people) < self.min_attendees:
            problems["attendees"] = f"集体研究至少应有 {self.min_attendees} 人参加，目前填了 {len(people)} 人。"
        if not self.conclusion.value():
            problems["conclusion"] = "请录入研究意见（会议的结论）。"
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return None
        return {"type": "record_study", "held_on": self.held_on.value(), "attendees": people,
                "conclusion": self.conclusion.value()}


class DecisionDialog(ActionDialog):
    """作出决定: the date and, where the rules require approval, who approved."""

    FIELD_OF = {"decision_date_before_step": "decided_on", "date_in_future": "decided_on",
                "approval_missing": "approver"}

    def __init__(self, ctx: SessionContext, case_id: str, decision: dict, target_title: str, help_text: str,
                 parent: QWidget | None = None):
        super().__init__(ctx, case_id, f"作出决定：{decision['title']}", "确认作出决定", parent)
        self.decision = decision
        role = decision["approver_role"]
        intro = f"决定后案件转入“{target_title}”。"
        if help_text:
            intro += help_text
        if role:
            intro += f" 此决定须经{role}审批：请在审批后录入审批人和审批日期。"
        self.set_intro(intro)
        self.decided_on = self.form.add_row("decided_on", "审批（决定）日期" if role else "决定日期", DateEditor())
        self.decided_on.set_value(date.today().isoformat())
        self.approver = None
        if role:
            self.approver = self.form.add_row("approver", "审批人", QLineEdit(), f"应为：{role}")
            self.approver.setObjectName("approver")
            self.approver.setText(ctx.approvers.get(role, ""))

    def action(self) -> dict | None:
        problem = date_problem(self.decided_on, "决定日期")
        if problem:
            self.form.set_error("decided_on", problem)
            return None
        action = {"type": "decide", "decision_id": self.decision["id"], "decided_on": self.decided_on.value()}
        if self.approver is not None:
            name = self.approver.text().strip()
            if not name:
                self.form.set_error("approver", f"请填写审批人（{self.decision['approver_role']}）的姓名。")
                return None
            action["approver"] = name
            self.ctx.approvers[self.decision["approver_role"]] = name
        return action


class ExtensionDialog(ActionDialog):
    """延长期限: how long, who approved when, and why."""

    FIELD_OF = {"approval_missing": "approved_by", "extension_reason_missing": "reason", "date_in_future": "approved_on",
                "extension_date_invalid": "approved_on", "extension_too_late": "approved_on"}

    def __init__(self, ctx: SessionContext, case_id: str, deadline: dict, extension, note: str,
                 parent: QWidget | None = None):
        super().__init__(ctx, case_id, f"延长期限：{deadline['title']}", "保存延长", parent)
        self.deadline = deadline
        unit = UNITS.get(extension.unit, extension.unit)
        self.unit = extension.unit
        self.set_intro(f"现截止日期 {deadline['due']}。依规每次最多延长 {extension.length} {unit}，最多 {extension.max_count} 次，"
                       f"须经{extension.approver}批准，并在期限届满前批准。{note}")
        self.length = QSpinBox()
        self.length.setRange(1, extension.length)
        self.length.setValue(extension.length)
        self.length.setSuffix(f" {unit}")
        self.length.setMaximumWidth(self.length.fontMetrics().horizontalAdvance("0") * 6 + 120)
        self.form.add_row("length", "延长", self.length)
        self.approved_by = self.form.add_row("approved_by", "批准人", QLineEdit(), f"应为：{extension.approver}")
        self.approved_by.setText(ctx.approvers.get(extension.approver, ""))
        self.approved_on = self.form.add_row("approved_on", "批准日期", DateEditor())
        self.approved_on.set_value(date.today().isoformat())
        self.reason = self.form.add_row("reason", "延长理由", LongTextEditor(lines=3))
        self.approver_role = extension.approver

    def action(self) -> dict | None:
        problems = {}
        when = date_problem(self.approved_on, "批准日期")
        if when:
            problems["approved_on"] = when
        if not self.approved_by.text().strip():
            problems["approved_by"] = "请填写批准人姓名。"
        if not self.reason.value():
            problems["reason"] = "请填写延长期限的理由。"
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return None
        self.ctx.approvers[self.approver_role] = self.approved_by.text().strip()
        return {"type": "extend", "deadline_id": self.deadline["id"], "length": self.length.value(), "unit": self.unit,
                "approved_by": self.approved_by.text().strip(), "approved_on": self.approved_on.value(),
                "reason": self.reason.value()}


class ReporterDialog(SavingDialog):
    """举报人信息 for administrators: opening it is a view of the identity and is audited."""

    sig_done = Signal(object)

    def __init__(self, ctx: SessionContext, view, parent: QWidget | None = None, *, read_only: bool = False):
        super().__init__(parent)
        from app.services.reporters import FIELD_LABELS, IDENTITY_FIELDS

        self.ctx = ctx
        self.view = view
        self.setWindowTitle("举报人信息（受保护）")
        self.form = Form()
        self.edits: dict[str, QLineEdit] = {}
        for key in IDENTITY_FIELDS:
            edit = QLineEdit(getattr(view, key))
            edit.setObjectName(f"reporter_{key}")
            edit.setReadOnly(read_only)  # a 工作人员 sees it with an administrator's confirmation, never edits it
            self.edits[key] = self.form.add_row(key, FIELD_LABELS[key], edit)
        self.message = message_label()
        self.ok_button = QPushButton("保存修改")
        self.ok_button.clicked.connect(self.submit)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        self.ok_button.setVisible(not read_only)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(close)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(hint_label(
            ("本线索为实名举报。" if view.real_name else "本线索为匿名举报。")
            + "这次查看已记入审计日志。举报人信息不得写进任何流转文书，不得向被反映人透露。"))
        column.addWidget(self.form)
        column.addWidget(self.message)
        column.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(FitScrollArea(body), 1)  # scrolls on a low screen instead of squeezing the fields
        outer.addLayout(buttons)
        self.setMinimumWidth(dialog_width(self))

    def submit(self) -> None:
        store, clue_id = self.ctx.store, self.view.clue_id
        values = {k: e.text() for k, e in self.edits.items()}

        def run():
            from app.services import reporters

            return reporters.save(store, clue_id, values)

        def failed(exc: BaseException) -> None:
            field = getattr(exc, "detail", {}).get("field")
            if field in self.form.errors:
                self.form.set_error(field, error_message(exc))
            else:
                show_message(self.message, error_message(exc))

        def done(result) -> None:
            self.accept()
            self.sig_done.emit(result)

        self.form.clear_errors()
        self.run_save(run, done, failed)
