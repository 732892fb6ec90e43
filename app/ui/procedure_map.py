"""办案流程图: the whole procedure of the rules file — stages, steps, who handles each, every decision
and where it leads — and, for a case, where it stands and what it can do next.

Built from the rules object only (no step is named here), so a county's pushed rules show as they
are. The case is the dict of `app.services.cases.show_case`.

From the case view: `open_procedure_map(self, self.data.rules, self.data.shown)`.
"""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from app.domain.procedure_map import AGAIN, BACK, EXIT, RETURN, decision_kind, main_line
from app.domain.rules import Workflow
from app.ui.widgets import close_row, resize_within_screen

CURRENT_BG = "#fde7b0"
VISITED_BG = "#e3f1e6"
PLAIN_BG = "#f3f5f8"
TAGS = {  # decision kind -> (label, colour); onward moves carry no tag
    EXIT: ("出口", "#a15c00"),
    BACK: ("退回", "#5f6368"),
    AGAIN: ("再次", "#5f6368"),
    RETURN: ("回到主线", "#1a5fb4"),
}
REQUIREMENT_KINDS = {"checklist": "必办事项：", "field": "填写：", "document": "文书：", "study": ""}
NUMERALS = "一二三四五六七八九十"
CURRENT_ANCHOR = "current"


def numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    return str(n)


def workflow_of(rules) -> Workflow:
    """A RuleSet (app.services.ruleset) or a bare Workflow."""
    return getattr(rules, "workflow", rules)


def _tag(kind: str) -> str:
    if kind not in TAGS:
        return ""
    label, colour = TAGS[kind]
    return f"<span style='color:{colour}'>〔{label}〕</span>"


def _target(wf: Workflow, step_id: str, from_stage: str) -> str:
    target = wf.steps.get(step_id)
    if target is None:
        return f"“{escape(step_id)}”"
    stage_title = wf.stage(target.stage_id).title
    stage = "" if target.stage_id == from_stage or stage_title == target.title else f"（{escape(stage_title)}）"
    return f"“{escape(target.title)}”{stage}"


def _visited(case: dict | None) -> tuple[set[str], set[str]]:
    """Stage ids and step ids the case has passed through (the current ones included)."""
    if not case:
        return set(), set()
    stages = {s["id"] for s in case.get("stage_path", ())} | {case["stage"]["id"]}
    steps = {h["step"] for h in case.get("history", ())} | {case["step"]["id"]}
    return stages, steps


def map_html(rules, case: dict | None = None) -> str:
    """The whole procedure as HTML for a QTextBrowser."""
    wf = workflow_of(rules)
    line = main_line(wf)
    stages_seen, steps_seen = _visited(case)
    current_step = case["step"]["id"] if case else ""
    current_stage = case["stage"]["id"] if case else ""
    enabled = {d["id"] for d in case.get("decisions", ()) if d.get("enabled")} if case else set()

    def stage_link(stage) -> str:
        text = escape(stage.title)
        if stage.id == current_stage:
            text = f"<b style='background:{CURRENT_BG}'>{text}</b>"
        elif stage.id in stages_seen:
            text = f"<span style='background:{VISITED_BG}'>{text}</span>"
        return f"<a href='#stage-{stage.id}' style='text-decoration:none'>{text}</a>"

    main_stages = [wf.stage(sid) for sid in line]
    other_stages = [s for s in wf.stages if s.id not in line]
    parts = [
        f"<h2 style='margin-bottom:4px'>{escape(wf.title)}</h2>",
        f"<p style='color:#5f6368; margin-top:0'>规则版本 {escape(wf.version)}（{escape(wf.source)}）。"
        "主线是从受理到归档的一般顺序；〔出口〕是离开主线的决定（如了结、暂存、移送、转送），"
        "〔回到主线〕是从支线回来的决定。点阶段名称可跳到该阶段。</p>",
        "<p><b>主线：</b>" + " → ".join(stage_link(s) for s in main_stages) + "</p>",
    ]
    if other_stages:
        parts.append("<p><b>支线：</b>" + "&nbsp;&nbsp; ".join(stage_link(s) for s in other_stages) + "</p>")
    if case:
        parts.append(
            f"<p><span style='background:{CURRENT_BG}'>&nbsp;&nbsp;&nbsp;&nbsp;</span> 本案当前环节&nbsp;&nbsp;&nbsp;"
            f"<span style='background:{VISITED_BG}'>&nbsp;&nbsp;&nbsp;&nbsp;</span> 本案已经过</p>")

    for stage in wf.stages:
        heading = (f"{numeral(line.index(stage.id) + 1)}、{escape(stage.title)}" if stage.id in line
                   else f"支线：{escape(stage.title)}")
        mark = ""
        if stage.id == current_stage:
            mark = "&nbsp;&nbsp;<span style='color:#8a5a00'>◆ 本案所在阶段</span>"
        elif stage.id in stages_seen:
            mark = "&nbsp;&nbsp;<span style='color:#1e7b34'>✓ 本案经过</span>"
        anchors = f"<a name='stage-{stage.id}'></a>"
        if stage.id == current_stage:
            anchors += f"<a name='{CURRENT_ANCHOR}'></a>"
        parts.append(f"<h3 style='margin-top:14px; margin-bottom:4px'>{anchors}{heading}{mark}</h3>")
        for step_id in stage.step_ids:
            step = wf.steps[step_id]
            is_current = step_id == current_step
            bg = CURRENT_BG if is_current else VISITED_BG if step_id in steps_seen else PLAIN_BG
            title = f"<b>{escape(step.title)}</b>"
            if is_current:
                title += "&nbsp;&nbsp;<span style='color:#8a5a00'>◆ 本案当前环节</span>"
            elif step_id in steps_seen:
                title += "&nbsp;&nbsp;<span style='color:#1e7b34'>✓ 已办</span>"
            rows = [title, f"<span style='color:#5f6368'>办理：{escape(step.role)}</span>"]
            if step.terminal:
                rows.append("终点：流程到此结束。")
            items = []
            for d in step.decisions:
                kind = decision_kind(wf, step, d, line)
                approver = f"；须经{escape(d.approver_role)}审批" if d.approver_role else ""
                now = "&nbsp;&nbsp;<b style='color:#1e7b34'>现在可选</b>" if is_current and d.id in enabled else ""
                items.append(f"<li>{_tag(kind)}{escape(d.title)} → {_target(wf, d.target, stage.id)}{approver}{now}</li>")
            cell = "<br>".join(rows)
            if items:
                cell += "<ul style='margin-top:2px; margin-bottom:0'>" + "".join(items) + "</ul>"
            parts.append(f"<table width='100%' cellpadding='6' cellspacing='0' bgcolor='{bg}' "
                         f"style='margin-bottom:6px'><tr><td>{cell}</td></tr></table>")
    return "".join(parts)


def case_html(rules, case: dict) -> str:
    """Where the case stands, what it can do next (接下来可以), and the way it came."""
    wf = workflow_of(rules)
    step = case["step"]
    visit = f"（第{step['round']}次）" if step.get("round", 1) > 1 else ""
    number = case.get("number") or case.get("clue_number") or ""
    parts = [
        f"<h3 style='margin-bottom:4px'>本案：{escape(number)}</h3>",
        f"<p><b>当前：</b>{escape(case['stage']['title'])} › "
        f"<span style='background:{CURRENT_BG}'>{escape(step['title'])}</span>{visit}"
        + (f"，{escape(step['entered_on'])} 起" if step.get("entered_on") else "")
        + f"&nbsp;&nbsp;<a href='#{CURRENT_ANCHOR}'>在流程图中查看</a></p>",
    ]
    options = case.get("decisions") or ()
    if case.get("terminal"):
        parts.append("<p><b>本案办理流程已结束。</b></p>")
    elif not options:
        parts.append("<p><b>接下来可以：</b>本环节没有可作出的决定。</p>")
    else:
        rule_step = wf.steps.get(step["id"])
        line = main_line(wf)
        items = []
        for d in options:
            rule = rule_step.decision(d["id"]) if rule_step else None
            tag = _tag(decision_kind(wf, rule_step, rule, line)) if rule else ""
            approver = f"<br><span style='color:#5f6368'>须经{escape(d['approver_role'])}审批</span>" \
                if d.get("approver_role") else ""
            if d.get("enabled"):
                state = "<br><span style='color:#1e7b34'>条件已具备，可以作出</span>"
            else:
                reasons = "；".join(escape(_short(p.get("message", ""))) for p in d.get("problems", ())) or "条件尚未具备"
                state = f"<br><span style='color:#8a5a00'>暂不能选：{reasons}</span>"
            items.append(f"<li style='margin-bottom:6px'>{tag}<b>{escape(d['title'])}</b> → 转入"
                         f"{_target(wf, d['target'], case['stage']['id'])}{approver}{state}</li>")
        parts.append("<p style='margin-bottom:0'><b>接下来可以：</b></p><ul style='margin-top:2px'>"
                     + "".join(items) + "</ul>")
        open_items = case.get("required") or ()
        if open_items:
            parts.append(f"<p style='margin-bottom:0'><b>本环节还没办完的事（{len(open_items)} 项）：</b></p>"
                         "<ul style='margin-top:2px'>" + "".join(
                             f"<li>{REQUIREMENT_KINDS.get(r['kind'], '')}{escape(r['label'])}</li>" for r in open_items)
                         + "</ul>")
        parts.append("<p style='color:#5f6368'>这些事在案件界面中办理，办完后在“作出决定”中选择。</p>")
    path = case.get("stage_path") or ()
    if path:
        parts.append("<p><b>已经过的阶段：</b>" + " → ".join(escape(s["title"]) for s in path) + "</p>")
    history = case.get("history") or ()
    if history:
        done = "".join(f"<li>{escape(h['decided_on'])} {escape(h['step_title'])}：{escape(_decision_title(wf, h))}</li>"
                       for h in history)
        parts.append(f"<p style='margin-bottom:0'><b>已作出的决定：</b></p><ol style='margin-top:2px'>{done}</ol>")
    return "".join(parts)


def _short(message: str) -> str:
    """The first clause of an engine message: "还有 3 项必办事项未完成：…" -> "还有 3 项必办事项未完成"."""
    return re.split("[：，。]", message, maxsplit=1)[0]


def _decision_title(wf: Workflow, entry: dict) -> str:
    step = wf.steps.get(entry["step"])
    rule = step.decision(entry["decision"]) if step else None
    return rule.title if rule else entry["decision"]


def _browser(html: str, name: str) -> QTextBrowser:
    browser = QTextBrowser()
    browser.setObjectName(name)
    browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    browser.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
    browser.setOpenExternalLinks(False)
    browser.setHtml(html)
    return browser


class ProcedureMapDialog(QDialog):
    """The procedure map; with a case, a side panel says where it stands and what can come next."""

    def __init__(self, rules, case: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.case = case
        title = "办案流程图"
        if case:
            title += f" — {case.get('number') or case.get('clue_number') or ''}"
        self.setWindowTitle(title)
        self.map = _browser(map_html(rules, case), "procedure_map")
        self.summary: QTextBrowser | None = None
        body = QHBoxLayout()
        body.addWidget(self.map, 3)
        if case:
            self.summary = _browser(case_html(rules, case), "case_summary")
            self.summary.setOpenLinks(False)
            self.summary.anchorClicked.connect(lambda url: self.map.scrollToAnchor(url.fragment()))
            body.addWidget(self.summary, 2)
        column = QVBoxLayout(self)
        column.addLayout(body, 1)
        column.addLayout(close_row(self))
        resize_within_screen(self, 1180 if case else 860, 700)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.case:  # bring the case's stage into view once the text is laid out
            QTimer.singleShot(0, self, lambda: self.map.scrollToAnchor(CURRENT_ANCHOR))


def open_procedure_map(parent: QWidget | None, rules, case: dict | None = None) -> ProcedureMapDialog:
    """Open the map (non-modal) for the whole procedure, or for `case` (a `cases.show_case` dict)."""
    dialog = ProcedureMapDialog(rules, case, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
