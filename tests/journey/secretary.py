"""A township secretary's work, one user action at a time, each followed by three checks:
where the user is (window, page, case and step heading), what the store now holds (read through
the app's services), and that no message box interrupted (app/ui/prompter.py shows every error,
and every unasked question, as one)."""

from __future__ import annotations

from datetime import date
from itertools import count

from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QListWidget, QPushButton, QTabBar

from app.domain.sanctions import KIND_LABELS
from app.services import case_details, cases, documents, ruleset
from tests.journey.driver import SHOTS, User

OFFICE = {"单位代码": "HX-01", "单位名称": "红星镇纪委", "单位简称": "红星", "上级单位代码": "LX"}
ADMIN, PASSWORD = "张书记", "hongxing2026"
PARTY_SECRETARY = "刘党委书记"  # who approves a 立案 ([R] 第三十八条): not an account of the 纪委
WIZARD_TITLE = "纪案通 — 初始设置"
ATTENDEES = "张书记、李委员、赵委员"
# what a careful secretary types where a plain sentence would not do (ids as in workflow.toml)
VALUES = {
    "talk_inquiry.method": "谈话",
    "prelim_verify.finding": "反映问题基本属实",
    "investigation.subject_opinion": "签署无异议",
    "county_review.county_opinion_no": "县纪审〔2026〕7号",
    "county_review.county_opinion": "同意",
    "branch_meeting.eligible": 15,
    "branch_meeting.present": 13,
    "branch_meeting.in_favour": 12,
    "township_approval.approver_body": "乡镇纪委",
    "archive_filing.keeping_term": "永久",
    "investigation.investigators": ["李委员", "赵干事"],
    "review.reviewers": ["钱委员", "孙委员"],  # 查审分离: none of the investigators ([R] 第五十四条)
}
# the 定性 a secretary finds for the journeys' clues: a keyword typed into 查找条款, the article as the
# list shows it, and the 情节 whose range holds the sanction proposed
QUALIFICATION = ("侵害群众利益", "条例第一百二十二条　违反群众纪律", "较轻")


class Secretary:
    """The journey of one case through the GUI; `route` names the screenshots."""

    def __init__(self, user: User, route: str):
        self.user = user
        self.route = route
        self.shots = count(1)
        self.case_id = ""
        self.workflow = None

    # --- the three checks --------------------------------------------------------------

    def store(self):
        return self.user.gui(lambda: self.user.controller.store)

    def shown(self) -> dict:
        return self.user.gui(lambda: cases.show_case(self.store(), self.case_id))

    def no_message(self, after: str) -> None:
        boxes = self.user.messages()
        if boxes:
            raise AssertionError(f"after {after}, a message box interrupted: {boxes}")

    def in_case(self, step_title: str, after: str, *, unsaved: bool = False) -> None:
        """The case view of this case is the page shown, at the step `step_title`, and (unless the
        user has typed without saving yet) not claiming unsaved edits."""
        heading = f"当前环节：{step_title}"

        def there() -> bool:
            window = self.user.controller.main_window
            if window is None or not window.isVisible():
                return False
            view = window.case_view
            return (view is not None and window.stack.currentWidget() is view and view.case_id == self.case_id
                    and any(label.text() == heading and label.isVisible() for label in view.findChildren(QLabel)))

        self.user.wait_until(there, 3, f"the case at “{heading}” after {after}", self.user.where)
        self.no_message(after)

        def focus() -> str:
            focused = QApplication.focusWidget()
            view = self.user.controller.main_window.case_view
            inside = focused is not None and (focused is view or view.isAncestorOf(focused))
            active = QApplication.activeWindow()
            return "" if inside else (f"{type(focused).__name__} “{focused.objectName() if focused else ''}”, "
                                      f"active window {type(active).__name__} “{active.windowTitle() if active else ''}”")

        # keyboard focus stays in the case (once the window is active again after a dialog): where
        # it fell before, a keystroke could leave the case
        self.user.wait_until(lambda: not focus(), 3, f"keyboard focus in the case view after {after}",
                             lambda: f"focus is on {self.user.gui(focus)}")
        if not unsaved:
            claims = self.user.gui(lambda: [label.text() for label in self.user.controller.main_window.case_view
                                            .findChildren(QLabel) if label.isVisible() and "尚未保存" in label.text()])
            assert not claims, f"after {after}, nothing was left unsaved, yet the case view says {claims}"

    def shot(self, name: str) -> None:
        self.user.screenshot(f"{self.route}-{next(self.shots):02d}-{name}", SHOTS)

    # --- set-up wizard -----------------------------------------------------------------

    def on_wizard_page(self, title: str, after: str) -> None:
        def on_page() -> bool:
            return any(w.isVisible() and w.windowTitle() == WIZARD_TITLE
                       and any(label.text() == title and label.isVisible() for label in w.findChildren(QLabel))
                       for w in QApplication.topLevelWidgets())

        self.user.wait_until(on_page, 10, f"the wizard page “{title}” after {after}", self.user.where)
        self.no_message(after)

    def set_up_office(self) -> None:
        user, paths = self.user, self.user.session.paths
        self.on_wizard_page("第一步：本单位信息", "the first start")
        for label, text in OFFICE.items():
            user.type_into(label, text)
            self.on_wizard_page("第一步：本单位信息", f"typing the {label}")
        assert user.gui(lambda: user.controller.wizard.office_page.level.currentText()) == "乡镇纪委"
        self.shot("wizard-office")
        user.click("下一步")
        self.on_wizard_page("第二步：书记/管理员账户", "下一步")
        assert not paths.exists(), "the store exists before 建立数据库 was clicked"
        for label, text in (("账户名", ADMIN), ("密码", PASSWORD), ("再次输入密码", PASSWORD)):
            user.type_into(label, text)
            self.on_wizard_page("第二步：书记/管理员账户", f"typing the {label}")
        self.shot("wizard-account")
        user.click("建立数据库")
        self.on_wizard_page("第三步：恢复密钥", "建立数据库")
        assert paths.exists(), "建立数据库 left no store"
        self.shot("wizard-recovery")
        user.check("我已抄写并妥善保管")
        self.on_wizard_page("第三步：恢复密钥", "ticking 我已抄写并妥善保管")
        user.click("完成")

        def main_window_up() -> bool:
            window = user.controller.main_window
            return window is not None and window.isVisible() and window.isActiveWindow()

        user.wait_until(main_window_up, 10, "the main window after 完成", user.where)
        self.no_message("完成")
        store = self.store()
        assert (store.office.name, store.account.name) == (OFFICE["单位名称"], ADMIN)
        assert user.gui(lambda: user.controller.main_window.nav.currentItem().text()) == "工作台"
        self.workflow = user.gui(lambda: ruleset.load(store).workflow)
        self.shot("home")

    # --- registering a clue -------------------------------------------------------------

    def on_register_page(self, after: str) -> None:
        def there() -> bool:
            window = self.user.controller.main_window
            return window is not None and window.stack.currentWidget() is window.pages["登记线索"]

        self.user.wait_until(there, 3, f"the page 登记线索 after {after}", self.user.where)
        self.no_message(after)

    def register_clue(self, person: str, summary: str, *, by_menu: bool = False,
                      more: tuple[tuple[str, str], ...] = ()) -> None:
        """登记线索 (from the navigation, or the menu 办案) for an anonymous letter about `person`
        (村党支部书记) and the (name, post) of `more` persons; the new case opens."""
        user = self.user
        if by_menu:
            user.menu("办案(W)", "登记线索")
        else:
            user.go_to("登记线索")
        self.on_register_page("opening 登记线索")
        user.choose("线索来源（必填）", "信访举报（来信）")
        self.on_register_page("choosing the source")
        user.choose("是否实名举报（必填）", "否")
        self.on_register_page("choosing 匿名")
        people = ((person, "村党支部书记"), *more)
        for name, post in people:
            for label, text in (("姓名", name), ("单位", "青石村村民委员会"), ("职务", post)):
                user.type_into(label, text, within="被反映人（必填）")
                self.on_register_page(f"typing the person's {label}")
            user.click("添加被反映人")
            self.on_register_page("添加被反映人")
        names = [name for name, _ in people]
        assert [p["name"] for p in user.gui(lambda: user.controller.main_window.pages["登记线索"].picker.persons())] == names
        user.type_into("主要问题（必填）", summary)
        self.on_register_page("typing 主要问题")
        self.shot("register-filled")
        assert user.gui(lambda: cases.list_cases(self.store())) == []
        user.click("登记线索", QPushButton)
        # the store first: it names the case the app should now show
        [row] = user.gui(lambda: cases.list_cases(self.store()))
        self.case_id = row.case_id
        shown = self.shown()
        assert shown["step"]["id"] == "intake_register"
        assert [p["name"] for p in shown["persons"]] == names == [p["name"] for p in shown["subjects"]]
        self.in_case("线索受理登记", "登记线索 (the new case opens)")
        self.shot("case-opened")

    def leave_case(self) -> None:
        """Esc in the case: back to the page it was opened from, 登记线索; the list 案件 shows it."""
        user = self.user
        step = self.shown()["step"]
        user.press("Escape")
        self.on_register_page("Esc in the case")
        assert user.shows("登记问题线索"), user.where()
        assert user.gui(lambda: user.controller.main_window.case_view) is None, "the case view is still open"
        user.go_to("案件")
        window = user.gui(lambda: user.controller.main_window)
        user.wait_until(lambda: window.stack.currentWidget() is window.pages["案件"], 3, "the page 案件", user.where)
        self.no_message("clicking 案件")
        page = window.pages["案件"]
        rows = user.gui(lambda: [page.model.row_at(r) for r in range(page.model.rowCount())])
        assert [(r.case_id, r.step_title) for r in rows] == [(self.case_id, step["title"])], rows
        assert self.shown()["step"] == step, "leaving the case changed it"

    # --- work on the current step -------------------------------------------------------

    def step(self):
        return self.workflow.steps[self.shown()["step"]["id"]]

    def tick(self, item) -> None:
        title = self.step().title
        self.user.check(item.label)
        self.in_case(title, f"ticking “{item.label}”")
        assert item.id in self.shown()["checklist_done"], f"“{item.label}” ticked but not stored"

    def fill(self, step, fields) -> None:
        """Type (or choose) a value into each field, then 保存本环节信息."""
        expected = {}
        for f in fields:
            key = f"{step.id}.{f.id}"
            label = f"{f.label}{'（必填）' if f.required else ''}"
            value = VALUES.get(key)
            if f.type == "choice":
                value = value or f.choices[0]
                if f.multiple:
                    self.user.check(value, within=label)
                    value = [value]
                else:
                    self.user.choose(label, value)
            elif f.type == "bool":
                self.user.choose(label, "否")
                value = False
            else:
                if f.type == "date":
                    value = date.today().isoformat()
                elif f.type == "number":
                    value = value if value is not None else 1
                elif f.multiple:
                    value = value or ["李委员", "赵干事"]
                else:
                    value = value or f"{f.label}：已按规定办理。"
                self.user.type_into(label, "、".join(value) if isinstance(value, list) else str(value))
            expected[key] = value
            self.in_case(step.title, f"filling “{label}”", unsaved=True)
        self.user.click("保存本环节信息")
        self.in_case(step.title, "保存本环节信息")
        stored = self.shown()["fields"]
        wrong = {k: (v, stored.get(k)) for k, v in expected.items() if stored.get(k) != v}
        assert not wrong, f"saved fields differ (typed, stored): {wrong}"
        combos = [f for f in fields if f.type in ("choice", "bool") and not f.multiple]
        if combos:
            self.scroll_over(step, combos[0])

    def scroll_over(self, step, f) -> None:
        """A wheel turned with the pointer resting on a saved choice scrolls the page; it must not
        change the choice."""
        label = f"{f.label}{'（必填）' if f.required else ''}"
        combo = self.user.field(label, QComboBox)
        shown_before = self.user.gui(combo.currentText)
        self.user.wheel_over(label, 3)
        self.in_case(step.title, f"turning the mouse wheel over “{label}”")
        assert self.user.gui(combo.currentText) == shown_before, \
            f"the wheel over “{label}” changed it from “{shown_before}” to “{self.user.gui(combo.currentText)}”"

    def record_study(self, step) -> None:
        user = self.user
        before = len(user.gui(lambda: case_details.details(self.store(), self.case_id).studies))
        user.click("录入集体研究…")
        dialog = f"录入集体研究：{step.title}"
        user.wait_until(lambda: (QApplication.activeModalWidget() or QLabel()).windowTitle() == dialog, 5,
                        f"the dialog “{dialog}”", user.where)
        self.no_message("录入集体研究…")
        user.type_into("参加人员", ATTENDEES)
        user.type_into("研究意见", "经集体研究，同意。")
        self.shot(f"study-{step.id}")
        user.click("保存集体研究记录")
        self.in_case(step.title, "保存集体研究记录")
        studies = user.gui(lambda: case_details.details(self.store(), self.case_id).studies)
        assert len(studies) == before + 1 and list(studies[-1].attendees) == ATTENDEES.split("、"), \
            f"the study was not stored: {studies}"

    def record_sanction(self, type_id: str) -> None:
        user = self.user
        kind = user.gui(lambda: ruleset.load(self.store()).catalog.get(type_id))
        step = self.step()
        user.choose("", f"{KIND_LABELS[kind.kind]} · {kind.name}", within="处分或处理意见")
        self.in_case(step.title, f"choosing the sanction {kind.name}")
        user.click("录入", within="处分或处理意见")
        self.in_case(step.title, f"录入 {kind.name}")
        proposed = user.gui(lambda: case_details.details(self.store(), self.case_id).proposed_sanctions)
        assert type_id in {x.type_id for x in proposed}, f"{type_id} not recorded: {proposed}"

    # --- one person of the case (the tab 人员：…) ------------------------------------------

    def person_tab(self, name: str) -> None:
        self.user.click(f"人员：{name}", QTabBar)
        self.in_case(self.step().title, f"opening the tab of {name}")

    def dialog(self, button: str, title: str, *, within: str | None = None) -> None:
        user = self.user
        user.click(button, within=within)
        user.wait_until(lambda: (QApplication.activeModalWidget() or QLabel()).windowTitle() == title, 5,
                        f"the dialog “{title}”", user.where)
        self.no_message(button)

    def subject(self, name: str) -> dict:
        return next(p for p in self.shown()["subjects"] if p["name"] == name)

    def qualify(self, name: str, keyword: str, article: str, plot: str) -> None:
        """定性: find the article by a keyword, pick its 情节, add it, save."""
        user, title = self.user, self.step().title
        self.person_tab(name)
        self.dialog("录入定性…", f"定性：{name}")
        user.type_into("查找条款", keyword)
        user.click(article, QListWidget)
        user.choose("情节", plot)
        user.click("加入定性")
        self.shot(f"qualify-{name}")
        user.click("保存定性")
        self.in_case(title, "保存定性")
        stored = self.subject(name)["qualification"]
        assert [q["plot"] for q in stored] == [plot] and stored[0]["article"].startswith("T"), stored

    def add_evidence_and_fact(self, name: str) -> None:
        user, title = self.user, self.step().title
        self.person_tab(name)
        self.dialog("录入证据…", f"录入证据：{name}")
        user.choose("证据种类", "书证")
        user.type_into("证据名称", "危房改造补助发放花名册复印件")
        user.type_into("来源", "青石村村民委员会提供")
        user.click("保存证据")
        self.in_case(title, "保存证据")
        [evidence] = self.subject(name)["evidence"]
        assert evidence["title"] == "危房改造补助发放花名册复印件", evidence
        self.dialog("录入违纪事实…", f"录入违纪事实：{name}")
        user.type_into("时间", "2025年3月")
        user.type_into("经过", "为不符合条件的亲属申报危房改造补助")
        user.type_into("金额（元）", "12000")
        user.click("1．书证：危房改造补助发放花名册复印件", QListWidget)
        user.press("space")  # ticks the evidence the fact rests on
        user.click("保存违纪事实")
        self.in_case(title, "保存违纪事实")
        [fact] = self.subject(name)["facts"]
        assert (fact["narrative"], fact["amount"], fact["evidence"]) == ("为不符合条件的亲属申报危房改造补助", "12000.00", [1]), fact

    def close_for(self, name: str, outcome: str, reason: str) -> None:
        """对本人办结: the case ends for `name` alone."""
        user, title = self.user, self.step().title
        self.person_tab(name)
        self.dialog("对本人办结…", f"对本人办结：{name}")
        user.choose("办结方式", outcome)
        user.type_into("审批人", ADMIN)
        user.type_into("理由", reason)
        self.shot(f"close-{name}")
        user.click("确认对本人办结")
        self.in_case(title, "确认对本人办结")
        assert self.subject(name)["outcome"], self.subject(name)

    def split_off(self, name: str, reason: str) -> str:
        """分案: `name` goes on in a case of their own; the user stays in this case. Returns the new case id."""
        user, title = self.user, self.step().title
        self.person_tab(name)
        self.dialog("分案处理…", f"分案处理：{name}")
        user.type_into("审批人", ADMIN)
        user.type_into("理由", reason)
        self.shot(f"split-{name}")
        user.click("确认分案")
        self.in_case(title, "确认分案")
        person = self.subject(name)
        assert person["outcome"] == "分案", person
        moved_to = user.gui(lambda: [r for r in cases.list_cases(self.store()) if r.case_id != self.case_id])
        assert [r.persons for r in moved_to] == [name], moved_to
        return moved_to[0].case_id

    def make_document(self, title: str) -> dict:
        """生成 in the step's document row titled `title` (e.g. 党纪处分决定书（孙建平）); the stored row."""
        user, step = self.user, self.step().title
        before = user.gui(lambda: {d.document_id for d in documents.list_documents(self.store(), self.case_id)})
        user.click("生成", within=title)

        def made():
            return [d for d in documents.list_documents(self.store(), self.case_id) if d.document_id not in before]

        user.wait_until(lambda: user.gui(made), 10, f"“{title}” in the store", user.where)
        self.in_case(step, f"生成 {title}")
        [row] = user.gui(made)
        return row

    def void_document(self, title: str, reason: str) -> None:
        """作废 the document of the row `title`, giving the reason the app asks for."""
        user, step = self.user, self.step().title
        user.click("作废", within=title)
        prompt = "请写明作废原因"
        user.wait_until(lambda: any(prompt in label.text() for label in
                                    (QApplication.activeModalWidget() or QLabel()).findChildren(QLabel)), 5,
                        "the question why the document is voided", user.where)
        label = user.gui(lambda: next(label.text() for label in QApplication.activeModalWidget().findChildren(QLabel)
                                      if prompt in label.text()))
        user.type_into(label, reason)
        user.click("作废文书")
        self.in_case(step, f"作废 {title}")

    def decide(self, decision) -> None:
        user = self.user
        target = self.workflow.steps[decision.target]
        option = next(o for o in self.shown()["decisions"] if o["id"] == decision.id)
        assert option["enabled"], f"“{decision.title}” is refused: {[p['message'] for p in option['problems']]}"
        user.click(decision.title, QPushButton, within="作出决定")
        dialog = f"作出决定：{decision.title}"
        user.wait_until(lambda: (QApplication.activeModalWidget() or QLabel()).windowTitle() == dialog, 5,
                        f"the dialog “{dialog}”", user.where)
        self.no_message(f"clicking “{decision.title}”")
        if decision.approver_role:  # 立案 is the 乡镇党委书记's ([R] 第三十八条), never the secretary's own account
            user.type_into("审批人", PARTY_SECRETARY if decision.approver_role == "乡镇党委书记" else ADMIN)
        self.shot(f"decide-{decision.id}")
        user.click("确认作出决定")
        self.in_case(target.title, f"确认作出决定 “{decision.title}”")
        assert self.shown()["step"]["id"] == target.id
        self.shot(f"at-{target.id}")

    def work_step(self, decision_id: str, *, sanction: str = "") -> None:
        """Everything the step needs for `decision_id`: the checklist, the fields, the sanction,
        the collective study; then the decision."""
        step = self.step()
        decision = step.decision(decision_id)
        assert decision is not None, f"no decision {decision_id} at {step.id}"
        done = set(self.shown()["checklist_done"])
        for item in step.checklist:
            if (item.required or item.id in decision.requires_items) and item.id not in done:
                self.tick(item)
        needed = set(decision.requires_fields) | {m.field for m in decision.min_counts}
        filled = self.shown()["fields"]
        fields = [f for f in step.fields if step.id != self.workflow.initial_step
                  and (f.required or f.required_if is not None or f"{step.id}.{f.id}" in needed)
                  and filled.get(f"{step.id}.{f.id}") in (None, "", [])]
        if fields:
            self.fill(step, fields)
        if sanction:
            self.record_sanction(sanction)
        if "qualification" in decision.requires:
            for person in self.shown()["subjects"]:
                if not person["outcome"] and not person["qualification"]:
                    self.qualify(person["name"], *QUALIFICATION)
        if "study" in decision.requires:
            self.record_study(step)
        self.decide(decision)

    def walk(self, *decisions: str) -> None:
        """Decisions in order; "+type_id" records a sanction to go with the next decision."""
        sanction = ""
        for name in decisions:
            if name.startswith("+"):
                sanction = name[1:]
                continue
            self.work_step(name, sanction=sanction)
            sanction = ""

