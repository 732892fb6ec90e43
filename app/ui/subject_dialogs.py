"""Dialogs of one 被审查调查人: particulars, evidence, a fact, 定性, 事实见面, 监察立案, 政务处分,
and ending the case for them alone. Each builds one action of `cases.act` (docs/RULES.md §11);
refusals are shown in the dialog, which stays open with what was typed."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain import subjects as particulars
from app.domain import text_hygiene as hygiene
from app.domain.workflow import SUBJECT_OUTCOMES
from app.ui.case_dialogs import ActionDialog, date_problem
from app.ui.field_editors import BoolEditor, ChoiceEditor, DateEditor, LineEditor, LongTextEditor
from app.ui.file_dialogs import start_path
from app.ui.session import SessionContext
from app.ui.widgets import hint_label, wrapped_label


LAW_SHORT = {"party": "条例", "gov": "政务处分法"}


def choice(values) -> SimpleNamespace:
    """What ChoiceEditor reads of a rules field: its choices."""
    return SimpleNamespace(choices=tuple(values))


class SubjectDialog(ActionDialog):
    """An ActionDialog about one person of the case: every action names them."""

    def __init__(self, ctx: SessionContext, case_id: str, person: dict, title: str, ok_text: str,
                 parent: QWidget | None = None):
        super().__init__(ctx, case_id, f"{title}：{person['name']}", ok_text, parent)
        self.person = person

    def named(self, action: dict) -> dict:
        return {**action, "subject": self.person["id"]}


class ParticularsDialog(SubjectDialog):
    """基本信息 the documents print (审查调查报告、审理报告、处分决定书的“基本情况”)."""

    FIELD_OF = {"subject_invalid": "birth"}

    def __init__(self, ctx, case_id, person, parent=None):
        super().__init__(ctx, case_id, person, "基本信息", "保存基本信息", parent)
        self.set_intro("按干部档案和本人填写的基本情况录入；出生年月等写成 1975-03 或 1975年3月。")
        values = person["particulars"]
        self.editors = {}
        for key, (label, kind) in particulars.PARTICULARS.items():
            if kind == "bool":
                editor = BoolEditor()
            elif kind == "choice":
                editor = ChoiceEditor(choice(particulars.CHOICES[key]))
            else:
                editor = LineEditor(placeholder="如 1975-03" if kind == "month" else "")
            editor.setObjectName(f"particular_{key}")
            editor.set_value(values.get(key) if values.get(key) not in ("", None) else None)
            self.editors[key] = self.form.add_row(key, label, editor)

    def action(self) -> dict | None:
        values = {}
        for key, editor in self.editors.items():
            value = editor.value()
            kind = particulars.PARTICULARS[key][1]
            if kind == "bool":
                if value is not None:
                    values[key] = value
            else:
                values[key] = value or ""
        return self.named({"type": "set_subject", "values": values})

    def on_error(self, exc: BaseException) -> None:
        key = (getattr(exc, "detail", None) or {}).get("field")
        if key in self.form.errors:
            self.form.set_error(key, exc.message)
            return
        super().on_error(exc)


class EvidenceDialog(SubjectDialog):
    """One item of the 证据目录; the file itself, if chosen, is kept encrypted in the store."""

    def __init__(self, ctx, case_id, person, parent=None):
        super().__init__(ctx, case_id, person, "录入证据", "保存证据", parent)
        self.set_intro("证据种类按《中华人民共和国监察法实施条例》（2021年文本条号）第五十九条。附件存入加密数据库，原文件仍在原处。")
        self.kind = self.form.add_row("kind", "证据种类", ChoiceEditor(choice(particulars.EVIDENCE_KINDS)))
        self.title = self.form.add_row("title", "证据名称", LineEditor(placeholder="如：青石村2025年度现金日记账复印件",
                                                                               limit=hygiene.SHORT.limit))
        self.source = self.form.add_row("source", "来源", LineEditor(placeholder="提供单位或个人、取证方式",
                                                                            limit=hygiene.SHORT.limit))
        self.obtained_on = self.form.add_row("obtained_on", "取证日期", DateEditor())
        self.pages = QSpinBox()
        self.pages.setRange(0, 100000)
        self.form.add_row("pages", "页数", self.pages)
        self.whole_case = QCheckBox("涉及本案全部被审查调查人")
        self.form.add_row("whole_case", "范围", self.whole_case)
        self.file = ""
        pick = QPushButton("选择附件…")
        pick.clicked.connect(self.choose_file)
        self.file_label = QLabel("未选择（可不附）")
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.file_label, 1)
        line.addWidget(pick)
        self.form.add_row("attachment", "附件", row)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择证据附件", start_path())
        if path:
            self.file = path
            self.file_label.setText(path)

    def action(self) -> dict | None:
        problems = {}
        if not self.kind.value():
            problems["kind"] = "请选择证据种类。"
        if not self.title.value():
            problems["title"] = "请填写证据名称。"
        if self.obtained_on.problem():
            problems["obtained_on"] = self.obtained_on.problem()
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return None
        action = {"type": "add_evidence", "kind": self.kind.value(), "title": self.title.value(),
                  "source": self.source.value() or "", "pages": self.pages.value()}
        if self.obtained_on.value():
            action["obtained_on"] = self.obtained_on.value()
        if self.file:
            action["attachment"] = self.file
        return action if self.whole_case.isChecked() else self.named(action)


class FactDialog(SubjectDialog):
    """One established fact (查明的违纪事实): when, what, how much, on which evidence, the person's attitude."""

    def __init__(self, ctx, case_id, person, parent=None):
        super().__init__(ctx, case_id, person, "录入违纪事实", "保存违纪事实", parent)
        self.set_intro("一事一条：写清时间、经过、金额和所依据的证据；这些内容将写入审查调查报告、审理报告和处分决定。")
        self.occurred = self.form.add_row("occurred", "时间", LineEditor(placeholder="如：2025年1月至3月"))
        self.narrative = self.form.add_row("narrative", "经过", LongTextEditor(lines=4))
        self.amount = self.form.add_row("amount", "金额（元）", LineEditor(placeholder="不涉及金额的不填"))
        self.evidence = QListWidget()
        self.evidence.setObjectName("fact_evidence")
        for e in person["evidence"]:
            item = QListWidgetItem(f"{e['seq']}．{e['kind']}：{e['title']}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, e["seq"])
            self.evidence.addItem(item)
        self.evidence.setMaximumHeight(self.evidence.sizeHintForRow(0) * 5 + 8 if person["evidence"] else 40)
        self.form.add_row("evidence", "依据的证据", self.evidence,
                          None if person["evidence"] else "证据目录还没有证据：可先录入证据，再补充事实所依据的证据。")
        self.attitude = self.form.add_row("attitude", "本人态度", LineEditor(placeholder="如：如实说明问题，主动退赔"))

    def action(self) -> dict | None:
        if not self.narrative.value():
            self.form.set_error("narrative", "请写明违纪事实的经过。")
            return None
        chosen = [self.evidence.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.evidence.count())
                  if self.evidence.item(i).checkState() == Qt.CheckState.Checked]
        return self.named({"type": "add_fact", "occurred": self.occurred.value() or "",
                           "narrative": self.narrative.value(), "amount": self.amount.value() or "",
                           "evidence": chosen, "attitude": self.attitude.value() or ""})

    def on_error(self, exc: BaseException) -> None:
        if getattr(exc, "code", "") == "fact_invalid" and "金额" in exc.message:
            self.form.set_error("amount", exc.message)
            return
        super().on_error(exc)


class QualificationDialog(SubjectDialog):
    """定性: the articles violated, found by keyword or number, each with its 情节, and the
    从轻/减轻/从重/加重 circumstances with their basis."""

    def __init__(self, ctx, case_id, person, articles, parent=None):
        super().__init__(ctx, case_id, person, "定性", "保存定性", parent)
        self.articles = articles
        self.set_intro("按条文认定违反的条款和情节；拟给予的处分须在所选情节的处分幅度内（减轻处分须写明依据）。")
        self.search = QLineEdit()
        self.search.setObjectName("article_search")
        self.search.setPlaceholderText("输入关键词或条号，如：礼金、第九十七条")
        self.search.textEdited.connect(self.find)
        self.results = QListWidget()
        self.results.setObjectName("article_results")
        # six rows and the article's text: the whole dialog stays within a 1366×768 screen
        self.results.setMaximumHeight(self.results.fontMetrics().lineSpacing() * 7 + 12)
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.currentItemChanged.connect(self.show_article)
        self.text = QTextBrowser()
        self.text.setObjectName("article_text")
        self.text.setMaximumHeight(self.text.fontMetrics().lineSpacing() * 5 + 12)
        self.plot = QComboBox()
        self.plot.setObjectName("article_plot")
        add = QPushButton("加入定性")
        add.setObjectName("add_article")
        add.clicked.connect(self.add_pick)
        pick_row = QWidget()
        line = QHBoxLayout(pick_row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.plot, 1)
        line.addWidget(add)
        self.form.add_row("search", "查找条款", self.search)
        self.form.add_row("results", "条款", self.results)
        self.form.add_row("text", "条文", self.text)
        self.form.add_row("plot", "情节", pick_row)
        self.chosen = QListWidget()
        self.chosen.setObjectName("chosen_articles")
        self.chosen.setMaximumHeight(self.chosen.fontMetrics().lineSpacing() * 3 + 12)
        remove = QPushButton("移除所选")
        remove.clicked.connect(lambda: self.chosen.takeItem(self.chosen.currentRow()))
        chosen_box = QWidget()
        column = QVBoxLayout(chosen_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.chosen)
        column.addWidget(remove)
        self.form.add_row("articles", "已认定", chosen_box)
        self.adjust_kind = QComboBox()
        self.adjust_kind.addItems(["（无）", *particulars.ADJUSTMENT_KINDS])
        self.adjust_basis = LineEditor(placeholder="依据和事实，如：主动交代（第十七条第二项）")
        adjust_row = QWidget()
        line = QHBoxLayout(adjust_row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.adjust_kind)
        line.addWidget(self.adjust_basis, 1)
        self.form.add_row("adjustments", "从轻减轻等情节", adjust_row)
        for a in person["qualification"]:
            self.add_chosen(self.articles.get(a["article"]), a["plot"])
        if person["adjustments"]:
            first = person["adjustments"][0]
            self.adjust_kind.setCurrentText(first["kind"])
            self.adjust_basis.set_value(first["basis"])
        self.find("")

    def find(self, text: str) -> None:
        self.results.clear()
        found = self.articles.search(text.strip()) if text.strip() else tuple(self.articles)
        for article in found[:200]:
            item = QListWidgetItem(f"{LAW_SHORT.get(article.law, '')}{article.label}　{article.category}")
            item.setToolTip(article.citation)
            item.setData(Qt.ItemDataRole.UserRole, article.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def show_article(self, item, _previous=None) -> None:
        self.plot.clear()
        if item is None:
            self.text.clear()
            return
        article = self.articles.get(item.data(Qt.ItemDataRole.UserRole))
        self.text.setPlainText(article.text)
        for plot in article.plots:
            self.plot.addItem(plot, plot)

    def add_chosen(self, article, plot: str) -> None:
        item = QListWidgetItem(f"{article.citation}（{plot}）")
        item.setData(Qt.ItemDataRole.UserRole, (article.id, plot))
        self.chosen.addItem(item)

    def add_pick(self) -> None:
        item = self.results.currentItem()
        if item is None or not self.plot.currentData():
            self.form.set_error("results", "请先查找并选中一个条款，再选择情节。")
            return
        self.form.set_error("results", "")
        self.add_chosen(self.articles.get(item.data(Qt.ItemDataRole.UserRole)), self.plot.currentData())

    def action(self) -> dict | None:
        picks = [self.chosen.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.chosen.count())]
        if not picks:
            self.form.set_error("articles", "请至少认定一个违反的条款：查找条款，选择情节后点“加入定性”。")
            return None
        action = {"type": "set_qualification", "articles": [{"article": a, "plot": p} for a, p in picks]}
        if self.adjust_kind.currentIndex() > 0:
            if not self.adjust_basis.value():
                self.form.set_error("adjustments", f"“{self.adjust_kind.currentText()}”须写明依据和事实。")
                return None
            action["adjustments"] = [{"kind": self.adjust_kind.currentText(), "basis": self.adjust_basis.value()}]
        return self.named(action)


class FactMeetingDialog(SubjectDialog):
    """事实材料与本人见面 ([R] 第五十一条): the date and what the person said, as signed."""

    def __init__(self, ctx, case_id, person, parent=None):
        super().__init__(ctx, case_id, person, "事实见面", "保存", parent)
        self.set_intro("审查调查组将认定的事实材料与本人见面，听取意见；本人签署的意见如实录入，拒绝签署的写明。")
        self.met_on = self.form.add_row("met_on", "见面日期", DateEditor())
        self.met_on.set_value(date.today().isoformat())
        self.statement = self.form.add_row("statement", "本人意见", LongTextEditor(lines=3))

    def action(self) -> dict | None:
        problem = date_problem(self.met_on, "见面日期")
        if problem or not self.statement.value():
            self.form.set_error("met_on" if problem else "statement", problem or "请录入本人对事实材料的意见。")
            return None
        return self.named({"type": "record_fact_meeting", "met_on": self.met_on.value(),
                           "statement": self.statement.value()})


class DatedApprovalDialog(SubjectDialog):
    """An act of one date approved by a named person: 监察立案, 对本人办结, 政务处分决定."""

    def __init__(self, ctx, case_id, person, title, ok_text, intro, date_label, who_label, parent=None):
        super().__init__(ctx, case_id, person, title, ok_text, parent)
        self.set_intro(intro)
        self.date_label = date_label
        self.on = self.form.add_row("on", date_label, DateEditor())
        self.on.set_value(date.today().isoformat())
        self.who = self.form.add_row("who", who_label, LineEditor())

    def checked(self) -> bool:
        problem = date_problem(self.on, self.date_label)
        if problem:
            self.form.set_error("on", problem)
        if not self.who.value():
            self.form.set_error("who", "请填写。")
        return not problem and bool(self.who.value())


class SupervisionFilingDialog(DatedApprovalDialog):
    def __init__(self, ctx, case_id, person, parent=None):
        super().__init__(ctx, case_id, person, "监察立案", "保存监察立案",
                         "对监察对象立案调查，须经监察机关主要负责人依法批准（《中华人民共和国监察法》第四十二条）。",
                         "批准日期", "批准人（主要负责人）", parent)

    def action(self) -> dict | None:
        if not self.checked():
            return None
        return self.named({"type": "record_supervision_filing", "approved_on": self.on.value(), "approver": self.who.value()})


class GovDecisionDialog(DatedApprovalDialog):
    def __init__(self, ctx, case_id, person, sanction: dict, parent=None):
        super().__init__(ctx, case_id, person, f"政务处分决定：{sanction['name']}", "保存决定",
                         "政务处分由监察机关作出（按本地做法由县监委决定或授权），自决定之日起生效"
                         "（《中华人民共和国公职人员政务处分法》第八条），与党纪处分分别计算。",
                         "决定日期", "作出决定的机关", parent)
        self.sanction = sanction
        self.number = self.form.add_row("number", "文号", LineEditor(limit=hygiene.NUMBER.limit))

    def action(self) -> dict | None:
        if not self.checked():
            return None
        return self.named({"type": "decide_gov_sanction", "type_id": self.sanction["type_id"], "decided_on": self.on.value(),
                           "organ": self.who.value(), "document_no": self.number.value() or ""})


class CloseSubjectDialog(DatedApprovalDialog):
    """对本人办结: the case ends for this person (了结, 免予处分 …) and goes on for the others."""

    def __init__(self, ctx, case_id, person, filed: bool, parent=None):
        super().__init__(ctx, case_id, person, "对本人办结", "确认对本人办结",
                         "本案对其本人办结，其他被审查调查人照常办理。须经乡镇纪委书记批准，理由将写入办理记录。",
                         "批准日期", "审批人", parent)
        self.outcome = QComboBox()
        self.outcome.setObjectName("subject_outcome")
        allowed = [o for o in SUBJECT_OUTCOMES if o != "分案" and (o in ("免予处分", "不予处分", "撤销案件")) == filed]
        for o in allowed:
            self.outcome.addItem(SUBJECT_OUTCOMES[o], o)
        self.form.rows.insertRow(0, "办结方式", self.outcome)
        self.reason = self.form.add_row("reason", "理由", LongTextEditor(lines=3))
        self.form.rows.addRow("", hint_label("立案前可予以了结；立案后可免予处分、不予处分或撤销案件。"))

    def action(self) -> dict | None:
        if not self.checked():
            return None
        if not self.reason.value():
            self.form.set_error("reason", "请写明理由。")
            return None
        return self.named({"type": "close_subject", "outcome": self.outcome.currentData(), "decided_on": self.on.value(),
                           "approver": self.who.value(), "reason": self.reason.value()})


class SplitDialog(DatedApprovalDialog):
    """分案: the person goes on in a case of their own, with their facts, evidence and proposals."""

    def __init__(self, ctx, case_id, person, parent=None):
        super().__init__(ctx, case_id, person, "分案处理", "确认分案",
                         "对其本人另立一案继续办理：新案件沿用原线索编号和立案编号（加“之二”等），"
                         "其基本信息、违纪事实、证据、定性和拟给予的处分一并转入新案件；原案件对其本人以“分案”办结。"
                         "须经乡镇纪委书记批准。", "批准日期", "审批人", parent)
        self.reason = self.form.add_row("reason", "理由", LongTextEditor(lines=3))

    def action(self) -> dict | None:
        if not self.checked():
            return None
        if not self.reason.value():
            self.form.set_error("reason", "请写明分案的理由。")
            return None
        return self.named({"type": "split_subject", "decided_on": self.on.value(), "approver": self.who.value(),
                           "reason": self.reason.value()})

    @staticmethod
    def perform(store, case_id: str, action: dict):
        from app.services import split_merge

        return split_merge.run(store, case_id, action)


class MergeDialog(ActionDialog):
    """并案: every person still in this case, with their materials, goes on in another open case."""

    def __init__(self, ctx, case_id, number: str, parent=None):
        super().__init__(ctx, case_id, f"并案：{number}", "确认并案", parent)
        self.set_intro("本案的被审查调查人及其基本信息、违纪事实、证据、定性和拟给予的处分一并转入另一案件继续办理，"
                       "本案在此结束（已形成的决定和文书保留）。须经乡镇纪委书记批准。")
        self.into = self.form.add_row("into", "并入案件", LineEditor(placeholder="立案编号或线索编号，如：红星纪立〔2026〕3号"))
        self.on = self.form.add_row("on", "批准日期", DateEditor())
        self.on.set_value(date.today().isoformat())
        self.who = self.form.add_row("who", "审批人", LineEditor())
        self.reason = self.form.add_row("reason", "理由", LongTextEditor(lines=3))

    def action(self) -> dict | None:
        problems = {}
        if not self.into.value():
            problems["into"] = "请填写要并入的案件的编号。"
        date_wrong = date_problem(self.on, "批准日期")
        if date_wrong:
            problems["on"] = date_wrong
        if not self.who.value():
            problems["who"] = "请填写审批人。"
        if not self.reason.value():
            problems["reason"] = "请写明并案的理由。"
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return None
        return {"type": "merge_into", "into": self.into.value(), "decided_on": self.on.value(),
                "approver": self.who.value(), "reason": self.reason.value()}

    @staticmethod
    def perform(store, case_id: str, action: dict):
        from app.services import split_merge

        return split_merge.run(store, case_id, action)


def summary_label(text: str) -> QLabel:
    label = wrapped_label(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
