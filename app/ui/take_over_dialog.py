"""提级办理: the county records its decision to take over a township case it sees from that township's
bundles; the decision goes down in the next bundle (docs/BUNDLE.md, `transfer take-over`).

Opened from the county's read-only view of a township case. 《中国共产党纪律检查机关监督执纪工作规则》第九条
(“必要时也可以直接进行审查调查”); 《中华人民共和国监察法实施条例》第四十七条第一款（2021年文本条号）names the grounds.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget

from app.ui.case_dialogs import ActionDialog, date_problem
from app.ui.field_editors import DateEditor, LongTextEditor
from app.ui.session import SessionContext


class TakeOverDialog(ActionDialog):
    """The decision's number, date and reason."""

    def __init__(self, ctx: SessionContext, case_id: str, case_number: str, parent: QWidget | None = None):
        super().__init__(ctx, case_id, f"提级办理：{case_number}", "保存决定", parent)
        self.set_intro("县纪委监委决定直接办理本案的，录入提级办理决定。决定随下一个下发数据包送达乡镇，乡镇导入后本案转为"
                       "“已提级由县纪委办理”，期限停止计算（监督执纪工作规则第九条；监察法实施条例第四十七条第一款："
                       "在本辖区有重大影响的，涉及多个下级监察机关管辖的监察对象、调查难度大的，其他重大、复杂案件）。")
        self.number = self.form.add_row("number", "决定文号", QLineEdit())
        self.number.setObjectName("take_over_number")
        self.decided_on = self.form.add_row("decided_on", "决定日期", DateEditor())
        self.reason = self.form.add_row("reason", "提级理由", LongTextEditor())

    def action(self) -> dict | None:
        problems = {}
        if not self.number.text().strip():
            problems["number"] = "请填写提级办理决定文号。"
        when = date_problem(self.decided_on, "决定日期")
        if when:
            problems["decided_on"] = when
        reason = self.reason.problem() or ("" if self.reason.value() else "请写明提级理由。")
        if reason:
            problems["reason"] = reason
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return None
        return {"number": self.number.text().strip(), "decided_on": self.decided_on.value(),
                "reason": self.reason.value()}

    @staticmethod
    def perform(store, case_id: str, action: dict):
        """Runs off the GUI thread: the county-owned decision, not an action of the township's workflow."""
        from app.services import review

        return review.record_take_over(store, case_id, action["number"], action["decided_on"], action["reason"])
