"""One tab per 被审查调查人 beside the step: particulars, evidence, facts, 定性, sanctions, and the
acts that concern that person alone. Built from `case show`'s `subjects`; every button opens a
dialog of app/ui/subject_dialogs.py, and the case view reloads when it has saved."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.domain import subjects as particulars
from app.ui import subject_dialogs as dialogs
from app.ui.widgets import hint_label, scroll_area, wrapped_label

PARTICULAR_ORDER = ("gender", "birth", "ethnicity", "native_place", "education", "political_status", "party_joined",
                    "work_started", "unit_post", "category", "deputy")
FLAGS = {"supervision_object": "监察对象", "village_manager": "村（居）委会管理人员", "holds_party_post": "担任党内职务"}


def qualification_line(q: dict) -> str:
    """“citation（category，情节plot）”; an article this office's catalogue lacks comes without a category."""
    category = f"{q['category']}，" if q["category"] else ""
    return f"{q['citation']}（{category}情节{q['plot']}）"


class SubjectPanel(QWidget):
    """What the case holds for one person; `open_dialog(dialog, notice)` shows a dialog and reloads after it."""

    def __init__(self, person: dict, context, open_dialog: Callable, parent: QWidget | None = None):
        super().__init__(parent)
        self.person = person
        self.context = context  # ctx, case id, rules, the case's shown data, read_only
        self.open_dialog = open_dialog
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.column = None  # built when first shown: opening a case must not wait for every person's tab

    def showEvent(self, event) -> None:
        if self.column is None:
            content = QWidget()
            self.column = QVBoxLayout(content)
            self.column.setContentsMargins(4, 4, 8, 4)
            area = scroll_area(content)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.build()
            self.outer.addWidget(area)
        super().showEvent(event)

    # --- layout ---------------------------------------------------------------------------

    def section(self, title: str, lines: list[str], buttons: list[tuple[str, str, Callable]], empty: str) -> None:
        box = QGroupBox(title)
        column = QVBoxLayout(box)
        for text in lines:
            column.addWidget(dialogs.summary_label(text))
        if not lines:
            column.addWidget(hint_label(empty))
        if buttons and not self.context.read_only:
            row = QHBoxLayout()
            row.addStretch(1)
            for name, text, slot in buttons:
                button = QPushButton(text)
                button.setObjectName(name)
                button.clicked.connect(slot)
                row.addWidget(button)
            column.addLayout(row)
        self.column.addWidget(box)

    def build(self) -> None:
        p = self.person
        status = p["status"] + (f"（{p['closed_on']}，{p['closed_reason']}）" if p["outcome"] else "")
        head = wrapped_label(f"{p['name']}　{status}")
        head.setObjectName("subject_status")
        self.column.addWidget(head)
        still_in = not p["outcome"]
        values = p["particulars"]
        lines = [f"{particulars.PARTICULARS[k][0]}：{values[k]}" for k in PARTICULAR_ORDER if values.get(k)]
        flags = [label for key, label in FLAGS.items() if values.get(key) is True and key != "holds_party_post"]
        if values.get("holds_party_post") is False:
            flags.append("未担任党内职务")
        if flags:
            lines.append("、".join(flags))
        if p["supervision_filing"]:
            lines.append(f"监察立案：{p['supervision_filing']['approved_on']}，批准人 {p['supervision_filing']['approver']}")
        buttons = [("edit_particulars", "编辑基本信息…", self.edit_particulars)]
        if values.get("supervision_object") and not p["supervision_filing"] and still_in:
            buttons.append(("supervision_filing", "录入监察立案…", self.supervision_filing))
        self.section("基本信息", lines, buttons, "尚未录入基本信息（性别、出生年月、民族、籍贯、学历、入党时间等）。")

        evidence = [f"{e['seq']}．{e['kind']}：{e['title']}" + (f"（{e['source']}）" if e["source"] else "")
                    + (f"，{e['pages']}页" if e["pages"] else "") + ("，有附件" if e["attachment"] else "")
                    + ("，涉及全案" if e["whole_case"] else "") for e in p["evidence"]]
        self.section("证据", evidence, [("add_evidence", "录入证据…", self.add_evidence)] if still_in else [],
                     "证据目录中还没有证据。")

        facts = [f"{f['seq']}．{f['occurred'] + '，' if f['occurred'] else ''}{f['narrative']}"
                 + (f"（金额{f['amount']}元）" if f["amount"] else "")
                 + (f"。证据：{'、'.join(str(n) for n in f['evidence'])}" if f["evidence"] else "。尚未关联证据")
                 + (f"。本人态度：{f['attitude']}" if f["attitude"] else "") for f in p["facts"]]
        if p["fact_meeting"]:
            facts.append(f"事实见面：{p['fact_meeting']['met_on']}，本人意见：{p['fact_meeting']['statement']}")
        buttons = [("add_fact", "录入违纪事实…", self.add_fact), ("fact_meeting", "事实见面…", self.fact_meeting)]
        self.section("查明的违纪事实", facts, buttons if still_in else [], "尚未录入查明的违纪事实。")

        qualification = [qualification_line(q) for q in p["qualification"]]
        qualification += [f"{a['kind']}：{a['basis']}" for a in p["adjustments"]]
        self.section("定性", qualification, [("qualify", "录入定性…", self.qualify)] if still_in else [],
                     "尚未定性：认定违反的条款和情节后，拟给予的处分须在其处分幅度内。")

        sanctions = []
        buttons = []
        for x in p["sanctions"]:
            state = (f"{x['decided_on']}生效" + (f"，影响期至{x['effect_end']}" if x.get("effect_end") else "")
                     if x["decided_on"] else "拟给予")
            sanctions.append(f"{x['name']}：{state}；批准（决定）机关：{x['approving_body']}"
                             + (f"，{x['document_no']}" if x.get("document_no") else ""))
            if x["kind"] == "gov" and not x["decided_on"]:  # the 监察 organ decides it on its own date
                buttons.append((f"gov_decision_{x['type_id']}", f"录入{x['name']}（政务处分）决定…",
                                lambda _=False, x=x: self.gov_decision(x)))
        self.section("处分（处理）", sanctions, buttons,
                     "尚未录入拟给予的处分：在审理等环节的“处分或处理意见”中录入。")

        open_people = [q for q in self.context.shown["subjects"] if not q["outcome"]]
        if still_in and len(open_people) > 1 and not self.context.read_only:
            close = QPushButton("对本人办结…")
            close.setObjectName("close_subject")
            close.setToolTip("本案对其本人了结、免予处分等，其他人照常办理。")
            close.clicked.connect(self.close_subject)
            split = QPushButton("分案处理…")
            split.setObjectName("split_subject")
            split.setToolTip("对其本人另立一案继续办理，相关材料一并转入。")
            split.clicked.connect(self.split_subject)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(split)
            row.addWidget(close)
            self.column.addLayout(row)
        self.column.addStretch(1)

    # --- dialogs --------------------------------------------------------------------------

    def args(self):
        return self.context.ctx, self.context.case_id, self.person

    def edit_particulars(self) -> None:
        self.open_dialog(dialogs.ParticularsDialog(*self.args(), parent=self), f"已保存{self.person['name']}的基本信息。")

    def supervision_filing(self) -> None:
        self.open_dialog(dialogs.SupervisionFilingDialog(*self.args(), parent=self), f"已录入{self.person['name']}的监察立案。")

    def add_evidence(self) -> None:
        self.open_dialog(dialogs.EvidenceDialog(*self.args(), parent=self), "已录入证据。")

    def add_fact(self) -> None:
        self.open_dialog(dialogs.FactDialog(*self.args(), parent=self), f"已录入{self.person['name']}的违纪事实。")

    def fact_meeting(self) -> None:
        self.open_dialog(dialogs.FactMeetingDialog(*self.args(), parent=self), f"已录入{self.person['name']}的事实见面情况。")

    def qualify(self) -> None:
        self.open_dialog(dialogs.QualificationDialog(*self.args(), self.context.rules.articles, parent=self),
                  f"已保存{self.person['name']}的定性。")

    def gov_decision(self, sanction: dict) -> None:
        self.open_dialog(dialogs.GovDecisionDialog(*self.args(), sanction, parent=self), f"已录入{sanction['name']}（政务处分）决定。")

    def close_subject(self) -> None:
        filed = bool(self.person["filed_on"])
        self.open_dialog(dialogs.CloseSubjectDialog(*self.args(), filed, parent=self), f"本案已对{self.person['name']}办结。")

    def split_subject(self) -> None:
        self.open_dialog(dialogs.SplitDialog(*self.args(), parent=self), f"已对{self.person['name']}分案，新案件在“案件”列表中。")
