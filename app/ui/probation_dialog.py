"""留党察看期满的处理: restore, extend by one year or expel — the action `end_probation`.

Opened from the case view at any step, an archived case included: the 察看期 usually ends long after
the case was filed away ([P] 第二十一条).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.domain.probation import DECIDING_BODY, EXPEL, OUTCOMES, RESTORE
from app.ui.case_dialogs import ActionDialog, date_problem
from app.ui.field_editors import DateEditor
from app.ui.session import SessionContext


class ProbationDialog(ActionDialog):
    """The outcome, its date, the deciding body and number, and the 支部党员大会 date for a restoration."""

    def __init__(self, ctx: SessionContext, case_id: str, subject: dict, sanction: dict, parent: QWidget | None = None):
        super().__init__(ctx, case_id, f"察看期满处理：{subject['name']}（{sanction['name']}）", "保存决定", parent)
        self.subject_id = subject["id"]
        watch = sanction["probation"]
        self.set_intro(f"察看期至 {watch['until']}{'（已延长一年）' if watch['extended'] else ''}。确有悔改表现的，期满后恢复党员权利；"
                       "留党察看一年期满仍不符合恢复条件的，延长一年（只能一次）；坚持不改或者察看期间又发现应当受到党纪处分的"
                       "违纪行为的，开除党籍（《中国共产党纪律处分条例》第十二条，《中国共产党处分违纪党员批准权限和程序规定》第二十一条）。")
        self.outcome = QComboBox()
        self.outcome.setObjectName("probation_outcome")
        self.outcome.addItems(OUTCOMES)
        self.form.add_row("outcome", "处理", self.outcome)
        self.decided_on = self.form.add_row("decided_on", "决定日期", DateEditor())
        self.body = self.form.add_row("body", "作出或批准决定的党组织", QLineEdit())
        self.document_no = self.form.add_row("document_no", "决定文号", QLineEdit())
        self.branch_meeting_on = self.form.add_row("branch_meeting_on", "支部党员大会日期", DateEditor(),
                                                   "恢复党员权利须先由所在党支部党员大会讨论形成决议")
        self.outcome.currentTextChanged.connect(self.show_body_hint)
        self.show_body_hint(self.outcome.currentText())

    def show_body_hint(self, outcome: str) -> None:
        self.body.setPlaceholderText(DECIDING_BODY[outcome].split("（")[0])
        self.body.setToolTip(DECIDING_BODY[outcome])

    def action(self) -> dict | None:
        problems = {}
        when = date_problem(self.decided_on, "决定日期")
        if when:
            problems["decided_on"] = when
        outcome = self.outcome.currentText()
        if not self.body.text().strip():
            problems["body"] = f"请填写：{DECIDING_BODY[outcome]}。"
        meeting = self.branch_meeting_on.problem() or ""
        if meeting:
            problems["branch_meeting_on"] = meeting
        elif outcome == RESTORE and self.branch_meeting_on.date_value() is None:
            problems["branch_meeting_on"] = "请填写支部党员大会日期。"
        if outcome == EXPEL and not self.document_no.text().strip():
            problems["document_no"] = "请填写开除党籍决定（批复）的文号。"
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return None
        action = {"type": "end_probation", "subject": self.subject_id, "outcome": outcome,
                  "decided_on": self.decided_on.value(), "body": self.body.text().strip(),
                  "document_no": self.document_no.text().strip()}
        if self.branch_meeting_on.date_value() is not None:
            action["branch_meeting_on"] = self.branch_meeting_on.value()
        return action
