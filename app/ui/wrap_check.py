"""A checkbox whose text wraps: a long checklist item takes two lines instead of widening the
case column past the screen (at 125 % or 150 % scaling the step column is narrow)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QCheckBox, QSizePolicy, QStyle, QStyleOptionButton

MIN_CHARS = 10  # the narrowest it gets: ten characters a line
TEXT_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


class WrapCheckBox(QCheckBox):
    def __init__(self, text: str, parent=None):
        super().__init__(text, parent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)  # may shrink to wrap
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def indicator_width(self) -> int:
        style = self.style()
        return (style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self)
                + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, self))

    def text_rect(self, width: int) -> QRect:
        return self.fontMetrics().boundingRect(QRect(0, 0, max(width - self.indicator_width(), 1), 100_000),
                                               TEXT_FLAGS, self.text())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        indicator = self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, None, self)
        return max(self.text_rect(width).height(), indicator) + 4

    def sizeHint(self) -> QSize:
        width = self.indicator_width() + self.fontMetrics().horizontalAdvance(self.text()) + 4
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        width = self.indicator_width() + self.fontMetrics().horizontalAdvance("中") * MIN_CHARS
        return QSize(width, self.heightForWidth(width))

    def hitButton(self, pos) -> bool:
        return self.rect().contains(pos)  # the whole wrapped text is the click target, as one line is

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        indicator = QStyleOptionButton(option)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self)
        line = self.fontMetrics().height()
        indicator.rect = QRect(0, max((line - size) // 2, 0) + 2, size, size)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, indicator, painter, self)
        text = QRect(self.indicator_width(), 2, self.width() - self.indicator_width(), self.height() - 2)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(text, TEXT_FLAGS, self.text())
        if self.hasFocus():
            focus = QStyleOptionButton(option)
            focus.rect = self.text_rect(self.width()).translated(self.indicator_width(), 2).adjusted(-1, 0, 1, 1)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, self)
