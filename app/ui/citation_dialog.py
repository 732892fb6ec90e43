"""The text of the articles a citation names, opened from a 依据 link (case guidance, practice
feedback). Links are `cite:` URLs carrying the citation itself, so any HTML can offer one."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from app.services import regulation_texts
from app.ui.widgets import close_row, resize_within_screen

SCHEME = "cite"


def citation_link(citation: str) -> str:
    """`citation` as an HTML link that opens its article text."""
    url = QUrl()
    url.setScheme(SCHEME)
    url.setPath(citation)
    return f"<a href='{html.escape(url.toString(QUrl.ComponentFormattingOption.FullyEncoded), quote=True)}'>" \
           f"{html.escape(citation)}</a>"


def article_html(citation: str) -> str:
    parts = [f"<h3 style='margin:0 0 6px 0'>{html.escape(citation)}</h3>"]
    shown = regulation_texts.articles_of(citation)
    if not shown:
        parts.append("<p>这条依据没有写明具体条款。</p>")
    for item in shown:
        parts.append(f"<h4 style='margin:10px 0 2px 0'>{html.escape(item.label)}</h4>")
        if item.text:
            body = "<br>".join(html.escape(line) for line in item.text.splitlines())
            parts.append(f"<p style='margin:2px 0'>{body}</p>"
                         f"<p style='color:#5f6368;margin:2px 0'>文本：{html.escape(item.source)}</p>")
        else:
            parts.append(f"<p style='color:#b3261e;margin:2px 0'>{html.escape(item.note)}</p>")
    return "".join(parts)


class CitationDialog(QDialog):
    def __init__(self, citation: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("条文")
        self.browser = QTextBrowser()
        self.browser.setObjectName("citation_text")
        self.browser.setOpenLinks(False)
        self.browser.setHtml(article_html(citation))
        column = QVBoxLayout(self)
        column.addWidget(self.browser, 1)
        column.addLayout(close_row(self))
        resize_within_screen(self, 720, 520)


def open_if_citation(url: QUrl, parent: QWidget | None) -> bool:
    """Show the article text when `url` is a citation link; False for any other link."""
    if url.scheme() != SCHEME:
        return False
    dialog = CitationDialog(url.path(), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setModal(False)
    dialog.show()
    return True
