"""The stage bar of a case (线索 → 处置 → 谈话函询/初核 → 立案审查调查 → 审理 → 决定执行 → 归档, side
exits shown when taken) and the deadline chips (exact date, working days left, colour by state)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.ui.widgets import tint

# the bar's segments and the rules' stages each one stands for
SEGMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("线索", ("intake",)),
    ("处置", ("disposition",)),
    ("谈话函询/初核", ("talk", "prelim", "shelved", "form1")),
    ("立案审查调查", ("filing",)),
    ("审理", ("review",)),
    ("决定执行", ("decision",)),
    ("归档", ("archive",)),
)
STYLES = {
    "done": "background: #e8f3ec; color: #1e5631; border: 1px solid #9cc8a9;",
    "current": "background: #1a5fb4; color: white; border: 1px solid #0b3d91; font-weight: bold;",
    "todo": "background: #f3f5f8; color: #80868b; border: 1px solid #d9dde3;",
    "skipped": "background: #f3f5f8; color: #b0b4b9; border: 1px dashed #d9dde3;",
    "side": "background: #fff4e5; color: #7a4100; border: 1px solid #f0c36d;",
    "side_current": "background: #a35200; color: white; border: 1px solid #7a4100; font-weight: bold;",
}
STATE_WORDS = {"done": "已完成", "current": "当前", "todo": "", "skipped": "未经过"}
CHIP_STYLES = {
    "overdue": ("#fdecea", "#8c1d18", "#f1aeb5"),
    "due_soon": ("#fff4e5", "#7a4100", "#f0c36d"),
    "normal": ("#e8f0fb", "#0b3d91", "#a9c1e8"),
    "met": ("#f3f5f8", "#5f6368", "#d9dde3"),
    "met_late": ("#f3f5f8", "#8c1d18", "#d9dde3"),
}


def segment_states(path_ids: list[str], current: str, terminal: bool) -> list[str]:
    visited = set(path_ids)
    states = []
    for _, stage_ids in SEGMENTS:
        if current in stage_ids:
            states.append("done" if terminal else "current")
        elif visited & set(stage_ids):
            states.append("done")
        else:
            states.append("todo")
    reached = max((i for i, s in enumerate(states) if s != "todo"), default=-1)
    return ["skipped" if s == "todo" and i < reached else s for i, s in enumerate(states)]


class StageBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        self.labels: list[QLabel] = []

    def clear(self) -> None:
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # deleted later: it must not show meanwhile
                item.widget().deleteLater()
        self.labels = []

    def chip(self, text: str, style: str, tooltip: str = "") -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet(f"QLabel {{ {style} border-radius: 4px; padding: 3px 8px; }}")
        label.setToolTip(tooltip)
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.labels.append(label)
        return label

    def set_case(self, stage_path: list[dict], current: str, terminal: bool) -> None:
        """`stage_path` as `cases.show_case` gives it: the stages visited, in order, with `side`."""
        self.clear()
        path_ids = [st["id"] for st in stage_path]
        titles = {st["id"]: st["title"] for st in stage_path}
        states = segment_states(path_ids, current, terminal)
        for index, ((label, stage_ids), state) in enumerate(zip(SEGMENTS, states)):
            if index:
                arrow = QLabel("→")
                tint(arrow, "#80868b")
                self.row.addWidget(arrow)
            taken = [titles[s] for s in stage_ids if s in titles]
            word = STATE_WORDS[state]
            detail = "、".join(t for t in taken if t != label)
            text = label + (f"\n{detail}" if detail and len(stage_ids) > 1 else f"\n{word}" if word else "\n")
            self.row.addWidget(self.chip(text, STYLES[state], f"{label}：{word or '尚未到达'}"))
        sides = [st for st in stage_path if st["side"]]
        for st in sides:
            style = STYLES["side_current"] if st["id"] == current and not terminal else STYLES["side"]
            self.row.addSpacing(8)
            self.row.addWidget(self.chip(f"旁路\n{st['title']}", style, f"本案经过旁路环节：{st['title']}"))
        self.row.addStretch(1)

    def texts(self) -> list[str]:
        return [label.text().replace("\n", " ").strip() for label in self.labels]


def chip_text(d: dict) -> str:
    if d["state"] in ("met", "met_late"):
        return f"{d['title']}\n{d['label']}（{d['met_on']}）"
    if d["state"] == "overdue":
        when = f"已超期 {-d['working_days_left']} 个工作日"
    else:
        when = f"剩 {d['working_days_left']} 个工作日"
    return f"{d['title']}\n截止 {d['due']} · {when}" + ("（已延长）" if d["extended"] else "")


class DeadlineChip(QPushButton):
    """One deadline; clicking a running one that may be extended asks for the extension."""

    sig_extend = Signal(str)

    def __init__(self, d: dict, extendable: bool, tooltip: str, parent: QWidget | None = None):
        super().__init__(chip_text(d), parent)
        self.deadline = d
        self.extendable = extendable
        self.setObjectName(f"deadline_{d['id']}")
        background, colour, border = CHIP_STYLES.get(d["state"], CHIP_STYLES["normal"])
        self.setStyleSheet(
            f"QPushButton {{ background: {background}; color: {colour}; border: 1px solid {border};"
            f" border-radius: 6px; padding: 4px 10px; text-align: left; }}"
            f"QPushButton:hover {{ border-color: {colour}; }}")
        self.setToolTip(tooltip + ("\n点击可申请延长此期限。" if extendable else ""))
        self.setCursor(Qt.CursorShape.PointingHandCursor if extendable else Qt.CursorShape.ArrowCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if extendable else Qt.FocusPolicy.NoFocus)
        self.clicked.connect(lambda: self.sig_extend.emit(d["id"]) if extendable else None)
