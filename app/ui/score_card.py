"""The score card after a practice attempt: points per decision, what was missed and why, 再练一次."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.citation_dialog import citation_link, open_if_citation
from app.ui.table_models import RowTableModel
from app.ui.theme import scaled_font
from app.ui.widgets import resize_within_screen, tint

VERDICT_LABELS = {"correct": "正确", "acceptable": "可以接受", "wrong": "有误", "unanswered": "未作答"}
VERDICT_COLOURS = {"correct": "#1e6b34", "acceptable": "#8a5a00", "wrong": "#b3261e", "unanswered": "#5f6368"}
LOST_HEADINGS = (("decision", "决定失分"), ("sanction", "处分或处理失分"), ("required", "漏办的必要程序"),
                 ("document", "文书问题"), ("time", "用时"))


def duration_text(seconds: int) -> str:
    minutes, rest = divmod(max(int(seconds), 0), 60)
    return f"{minutes} 分 {rest} 秒" if minutes else f"{rest} 秒"


class DecisionColumn:
    QUESTION, STEP, GIVEN, EXPECTED, SCORE = range(5)
    HEADERS = ("决定点", "环节", "你的答案", "参考答案", "得分")


class DecisionTableModel(RowTableModel):
    """One row per decision point of the card (dicts as in the card JSON)."""

    HEADERS = DecisionColumn.HEADERS

    def display(self, row, column: int) -> str:
        return (row["question"], row["step_title"], row["given"], row["expected"],
                f"{row['earned']}/{row['points']}（{VERDICT_LABELS[row['verdict']]}）")[column]

    def colour(self, row, column: int) -> str | None:
        return VERDICT_COLOURS[row["verdict"]] if column in (DecisionColumn.GIVEN, DecisionColumn.SCORE) else None

    def tooltip(self, row, column: int) -> str | None:
        return row["question"]


def lost_html(card: dict) -> str:
    """Every lost point with its explanation and the article it rests on."""
    if not card["lost"]:
        return "<p style='color:#1e6b34'><b>没有失分。</b>每个决定和必要程序都符合规定。</p>"
    parts = []
    for kind, heading in LOST_HEADINGS:
        items = [i for i in card["lost"] if i["kind"] == kind]
        if not items:
            continue
        parts.append(f"<h4 style='margin:8px 0 2px 0'>{heading}</h4>")
        for item in items:
            links = "；".join(citation_link(c) for c in item["citation"])
            basis = f"<br/><span style='color:#1a5fb4'>依据：{links}</span>" if links else ""
            parts.append(f"<p style='margin:2px 0 8px 0'><b>{escape(item['title'])}</b>"
                         f"<span style='color:#b3261e'>（失 {item['lost']} 分）</span><br/>"
                         f"{escape(item['feedback'])}{basis}</p>")
    return "".join(parts)


class ScoreCardDialog(QDialog):
    """`sig_retry(mode)`: "drill" brings back the missed decision points, "full" starts the scenario again."""

    sig_retry = Signal(str)

    def __init__(self, card: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.card = card
        self.setWindowTitle("练习成绩单")
        resize_within_screen(self, 900, 680)  # no minimum beyond its contents: 1366×768 at 150 % is 910×512
        mode = "再练一次（只练失分的决定点）" if card["mode"] == "drill" else "完整练习"
        head = QLabel(f"{card['trainee']} · {card['scenario_title']}（{mode}）")
        head.setObjectName("score_head")
        head.setTextFormat(Qt.TextFormat.PlainText)  # the title comes from an imported scenario file: never HTML
        head.setFont(scaled_font(self.font(), 1.2, bold=True))
        head.setWordWrap(True)
        verdict = "合格" if card["passed"] else ("不合格" if card["complete"] else "未完成（已交卷）")
        self.score = QLabel(f"{card['earned']} / {card['total']} 分　{card['percent']}%　{verdict}")
        self.score.setObjectName("score_total")
        self.score.setFont(scaled_font(self.font(), 1.8, bold=True))
        tint(self.score, VERDICT_COLOURS["correct"] if card["passed"] else VERDICT_COLOURS["wrong"])
        limit = f"（建议 {card['time_limit_minutes']} 分钟内）" if card["mode"] == "full" else ""
        time = QLabel(f"用时 {duration_text(card['seconds'])}{limit}　·　决定点 {len(card['decisions'])} 个，"
                      f"漏办程序 {len(card['missed_required'])} 项，文书问题 {len(card['document_errors'])} 项")
        time.setObjectName("score_time")
        time.setWordWrap(True)

        self.model = DecisionTableModel(list(card["decisions"]), parent=self)
        table = QTableView()
        table.setObjectName("score_decisions")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = table.horizontalHeader()
        for column in range(len(DecisionColumn.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DecisionColumn.QUESTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DecisionColumn.GIVEN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DecisionColumn.EXPECTED, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())  # wrapped answers keep their lines
        self.table = table

        self.explanations = QTextBrowser()
        self.explanations.setObjectName("score_lost")
        self.explanations.setOpenLinks(False)
        self.explanations.anchorClicked.connect(lambda url: open_if_citation(url, self))
        self.explanations.setHtml(lost_html(card))

        missed = len(card["missed_points"])
        self.retry_button = QPushButton(f"再练一次（{missed} 个失分的决定点）" if missed else "再练一次")
        self.retry_button.setObjectName("score_retry")
        self.retry_button.setEnabled(bool(missed))
        self.retry_button.setToolTip("只练上次没有答对的决定点，其余环节由系统按参考答案办理。" if missed
                                     else "这次所有决定点都答对了，没有需要重练的决定点。")
        self.retry_button.clicked.connect(lambda: self.retry("drill"))
        self.again_button = QPushButton("从头再做")
        self.again_button.setObjectName("score_again")
        self.again_button.clicked.connect(lambda: self.retry("full"))
        close = QPushButton("关闭")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        column = QVBoxLayout(self)
        column.addWidget(head)
        column.addWidget(self.score)
        column.addWidget(time)
        column.addWidget(QLabel("各决定点得分"))
        column.addWidget(table, 3)
        column.addWidget(QLabel("失分说明（含依据条款）"))
        column.addWidget(self.explanations, 2)
        column.addLayout(buttons)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def retry(self, mode: str) -> None:
        self.accept()
        self.sig_retry.emit(mode)
