"""登记线索: the form the rules' intake step declares, the reported persons from the archive, and the
reporter's identity (举报人, administrators only)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.errors import AppError
from app.ui.errors import error_message
from app.ui.field_editors import DateEditor, FieldEditor, LongTextEditor, field_label, make_editor
from app.ui.person_picker import PersonPicker
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import NOTICE_STYLE, WARNING_STYLE, Form, banner, hint_label, scroll_area
from app.ui.wrap_check import WrapCheckBox

# rule fields register_clue takes directly (others are set on the new case's intake step)
DIRECT_KEYS = {"source", "summary", "categories", "incoming_no", "leader_instruction", "ref", "repeat_complaint", "repeat_of"}
REPORTER_FIELDS = (("name", "姓名"), ("phone", "联系电话"), ("id_number", "身份证号"), ("address", "住址或单位"))
MASK = "＊＊＊（仅书记/管理员可录入和查看）"
# the rows a 转送登记 keeps ([J] 第十五条第二款: 不得复制、摘抄检举控告内容)
FORWARD_ROWS = {"received_on", "source"}
DATE_ERRORS = {"bad_date", "date_out_of_range"}
DRAFT_KEY = "register"


class RegisterPage(QWidget):
    DRAFT_KEY = DRAFT_KEY

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        from app.services import ruleset

        self.ctx = ctx
        self.store = ctx.store
        self.is_admin = ctx.store.account.is_admin
        wf = ruleset.load(ctx.store).workflow
        self.step = wf.steps[wf.initial_step]
        self.last_case_id = ""

        self.form = Form()
        self.received = self.form.add_row("received_on", "收件日期（必填）", DateEditor(),
                                          "收到来信、来访、电话、网络举报或上级转办、交办材料的日期。")
        self.editors: dict[str, FieldEditor] = {}
        self.picker: PersonPicker | None = None
        for f in self.step.fields:
            if f.id == "persons":
                self.picker = PersonPicker(ctx.store)
                self.form.add_row(f.id, field_label(f), self.picker, f.help or None)
                continue
            editor = LongTextEditor(f, lines=4) if f.id == "summary" else make_editor(f)
            editor.setObjectName(f"field_{f.id}")
            self.editors[f.id] = self.form.add_row(f.id, field_label(f), editor, f.help or None)
            editor.sig_changed.connect(lambda fid=f.id: self.on_edited(fid))
        if self.picker is not None:
            self.picker.sig_changed.connect(lambda: self.on_edited("persons"))
        self.received.sig_changed.connect(lambda: self.on_edited("received_on"))
        self.forward = WrapCheckBox("属上级纪检监察机关受理：只登记收件日期和来源，不录入被反映人、问题内容和举报人")
        self.forward.setObjectName("register_forward")
        self.about_head = WrapCheckBox("反映本机关主要负责人（纪委书记）本人：径送上一级纪检监察机关，由工作人员账户办理")
        self.about_head.setObjectName("register_about_head")
        self.about_head.setEnabled(False)
        self.forward.toggled.connect(self.set_forward_mode)
        self.about_head.toggled.connect(lambda _on: self.on_edited(""))

        self.reporter_box = QGroupBox("举报人信息（受保护）")
        self.reporter_form = Form()
        self.reporter: dict[str, QLineEdit] = {}
        for key, label in REPORTER_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"reporter_{key}")
            if self.is_admin:
                edit.textEdited.connect(lambda _text: self.on_edited(""))
            else:
                edit.setText(MASK)
                edit.setEnabled(False)
            self.reporter[key] = self.reporter_form.add_row(key, label, edit)
        reporter_column = QVBoxLayout(self.reporter_box)
        reporter_column.addWidget(hint_label(
            "举报人身份单独保存，只有书记/管理员能查看，每次查看都记入审计日志；不会写进任何流转文书。匿名举报不填。"
            if self.is_admin else
            "只有书记/管理员可以录入和查看举报人身份。实名举报的，请登记后请书记在案件中补录举报人信息。"))
        reporter_column.addWidget(self.reporter_form)

        self.result = banner(NOTICE_STYLE)
        self.result.setObjectName("register_result")
        self.warnings = banner(WARNING_STYLE)
        self.message = banner(WARNING_STYLE)
        self.message.setObjectName("register_message")
        self.open_button = QPushButton("打开刚登记的案件")
        self.open_button.clicked.connect(lambda: ctx.sig_open_case.emit(self.last_case_id))
        self.open_button.hide()
        self.submit_button = QPushButton("登记线索")
        self.submit_button.setObjectName("register_submit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        clear_button = QPushButton("清空表单")
        clear_button.clicked.connect(self.ask_clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(clear_button)
        buttons.addWidget(self.submit_button)

        title = QLabel("登记问题线索")
        title.setFont(scaled_font(title.font(), 1.0, bold=True))
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 12, 0)
        column.addWidget(title)
        column.addWidget(hint_label(f"{self.step.guidance.what} 标有“必填”的项目不能空着。编号在登记时自动生成。"))
        column.addWidget(self.result)
        column.addWidget(self.warnings)
        column.addWidget(self.message)
        column.addWidget(self.forward)
        column.addWidget(self.about_head)
        column.addWidget(hint_label("属上级受理的检举控告，不得复制、摘抄内容，不得扩大知情范围（《纪检监察机关处理检举控告工作规则》"
                                    "第十五条第二款）：原件装封报送，本机关只登记收件日期和来源。"))
        column.addWidget(self.form)
        column.addWidget(self.reporter_box)
        column.addStretch(1)
        self.scroll = scroll_area(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll, 1)
        outer.addLayout(buttons)
        self.reset()
        draft = ctx.drafts.pop(DRAFT_KEY, None)
        if draft:
            self.restore_draft(draft)
            self.message.setText("已恢复锁定前未登记的内容。")
            self.message.show()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.picker is not None and not self.picker.registry:
            try:
                self.picker.load_registry()
            except Exception as exc:
                self.ctx.prompter.error(self, error_message(exc))

    # --- values -------------------------------------------------------------------------

    def values(self) -> dict:
        """Everything typed, in draft form (also what `dirty` compares)."""
        return {
            "received_on": self.received.edit.text().strip(),
            "fields": {fid: editor.value() for fid, editor in self.editors.items()},
            "persons": self.picker.persons() if self.picker else [],
            "pending_person": self.picker.current() if self.picker else {},
            "reporter": {k: e.text().strip() for k, e in self.reporter.items()} if self.is_admin else {},
            "forward": self.forward.isChecked(),
            "about_head": self.about_head.isChecked(),
        }

    def set_forward_mode(self, on: bool) -> None:
        """A 转送登记 shows only what it keeps: no person, no content, no reporter."""
        for key in self.form.errors:
            if key not in FORWARD_ROWS:
                self.form.rows.setRowVisible(self.form.errors[key].parentWidget(), not on)
        self.reporter_box.setVisible(not on)
        self.about_head.setEnabled(on)
        if not on:
            self.about_head.setChecked(False)
        self.on_edited("")

    def reset(self) -> None:
        self.forward.setChecked(False)
        self.received.set_value(date.today().isoformat())
        for editor in self.editors.values():
            editor.set_value(None)
        if self.picker is not None:
            self.picker.set_persons([])
            self.picker.set_current({})
            self.picker.preview_label.hide()
        if self.is_admin:
            for edit in self.reporter.values():
                edit.clear()
        self.form.clear_errors()
        self.pristine = self.values()

    @property
    def dirty(self) -> bool:
        return self.values() != self.pristine

    def draft(self) -> dict | None:
        return self.values() if self.dirty else None

    def restore_draft(self, draft: dict) -> None:
        self.forward.setChecked(bool(draft.get("forward")))
        self.about_head.setChecked(bool(draft.get("about_head")))
        self.received.set_value(draft.get("received_on", ""))
        for fid, value in draft.get("fields", {}).items():
            if fid in self.editors:
                self.editors[fid].set_value(value)
        if self.picker is not None:
            self.picker.set_persons(draft.get("persons", []))
            self.picker.set_current(draft.get("pending_person", {}))
        if self.is_admin:
            for key, value in draft.get("reporter", {}).items():
                if key in self.reporter:
                    self.reporter[key].setText(value)

    def on_edited(self, key: str) -> None:
        """An edited field loses its error; the success banner of the last clue goes away."""
        if key in self.form.errors and self.form.error(key):
            self.form.set_error(key, "")
            if not any(self.form.error(k) for k in self.form.errors):
                self.message.hide()
        if self.result.isVisible():
            self.result.hide()
            self.warnings.hide()
            self.open_button.hide()

    # --- submit ---------------------------------------------------------------------------

    def check(self) -> dict[str, str]:
        """Field key -> what to fix, before anything is written."""
        problems = {}
        try:
            received = self.received.date_value()
        except ValueError:
            problems["received_on"] = self.received.problem()
        else:
            if received is None:
                problems["received_on"] = "请填写收件日期。"
            elif received > date.today():
                problems["received_on"] = "收件日期不能晚于今天。"
        for f in self.step.fields:
            if self.forward.isChecked() and f.id not in FORWARD_ROWS:
                continue
            if f.id == "persons":
                if self.picker is not None and not self.picker.persons():
                    problems[f.id] = "请至少添加一名被反映人：填写姓名（和单位）后点“添加被反映人”。"
                continue
            editor = self.editors[f.id]
            problem = editor.problem()
            if problem:
                problems[f.id] = problem
            elif f.required and editor.value() is None:
                verb = "选择" if f.type in ("choice", "bool") else "填写"
                problems[f.id] = f"请{verb}{f.label}。"
        return problems

    def request(self) -> tuple[dict, dict]:
        """(register_clue data, intake values for fields register_clue does not take)."""
        fields = {fid: editor.value() for fid, editor in self.editors.items()}
        if self.forward.isChecked():
            return ({"received_on": self.received.date_value().isoformat(), "source": fields.get("source"),
                     "forward_upward": True, "about_head": self.about_head.isChecked()}, {})
        data = {"received_on": self.received.date_value().isoformat(), "persons": self.picker.persons()}
        data.update({k: v for k, v in fields.items() if k in DIRECT_KEYS and v is not None})
        reporter = {"real_name": bool(fields.get("reporter_real_name"))}
        if self.is_admin:
            reporter.update({k: e.text().strip() for k, e in self.reporter.items() if e.text().strip()})
        data["reporter"] = reporter
        extra = {k: v for k, v in fields.items() if k not in DIRECT_KEYS and k != "reporter_real_name" and v is not None}
        return data, extra

    def submit(self) -> None:
        self.form.clear_errors()
        self.message.hide()
        if self.picker is not None and self.picker.current().get("name") and not self.forward.isChecked():
            self.picker.add_current()  # a typed but not yet added person is meant to be added
        problems = self.check()
        if problems:
            for key, text in problems.items():
                self.form.set_error(key, text)
            self.message.setText(f"还有 {len(problems)} 处需要补充或改正，见各项下方的红字。")
            self.message.show()
            return
        data, extra = self.request()
        store = self.store

        def register():
            from app.services import cases

            result = cases.register_clue(store, data)
            if extra:
                cases.act(store, result.case_id, {"type": "set_fields", "values": extra})
            return result

        self.submit_button.setEnabled(False)
        self.ctx.runner.run(register, on_done=self.on_registered, on_error=self.on_failed,
                            label="正在登记线索……", parent=self)

    def on_registered(self, result) -> None:
        """The new case opens; back here, the message about it is at the top of the emptied form."""
        self.submit_button.setEnabled(True)
        forwarded = self.forward.isChecked()
        self.reset()
        self.last_case_id = result.case_id
        self.result.setText(f"已登记线索 {result.number}（转送登记，未录入内容）。下一步：原件装封，自收到之日起5个工作日内报送上级，"
                            "在案件中录入接收单位和报送日期。" if forwarded else
                            f"已登记线索 {result.number}，并建立案件。下一步：在案件中完成“{self.step.title}”的必办事项，"
                            "作出是否受理的决定。")
        self.result.show()
        notes = [f"{p.name}（{p.unit or '单位未填'}）：{'、'.join(p.labels)}" for p in result.persons if p.labels]
        self.warnings.setText("请注意：" + "；".join(notes) + "。" if notes else "")
        self.warnings.setVisible(bool(notes))
        self.open_button.show()
        self.scroll.verticalScrollBar().setValue(0)
        self.ctx.sig_data_changed.emit()
        if self.picker is not None:
            self.picker.load_registry()
        self.ctx.case_notices[result.case_id] = " ".join(t for t in (self.result.text(), self.warnings.text()) if t)
        self.ctx.sig_open_case.emit(result.case_id)

    def on_failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(True)
        code = getattr(exc, "code", "")
        if code in DATE_ERRORS:
            self.form.set_error("received_on", error_message(exc))
            return
        problems = exc.detail.get("problems", []) if isinstance(exc, AppError | DomainError) else []
        placed = False
        for problem in problems:
            if isinstance(problem, dict) and problem.get("field") in self.form.errors:
                self.form.set_error(problem["field"], problem.get("message", ""))
                placed = True
        if code.startswith("person") and "persons" in self.form.errors:
            self.form.set_error("persons", error_message(exc))
            placed = True
        self.message.setText("线索未登记：" + (error_message(exc) if not placed else "请按各项下方的提示改正后再登记。"))
        self.message.show()

    def ask_clear(self) -> None:
        if self.dirty and not self.ctx.prompter.confirm(self, "清空表单会丢弃已填写但未登记的内容。确定要清空吗？", "清空"):
            return
        self.reset()
        self.result.hide()
        self.warnings.hide()
        self.message.hide()
        self.open_button.hide()
