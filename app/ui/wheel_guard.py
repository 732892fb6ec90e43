"""The mouse wheel changes a combo box, spin box, date field or slider only once the user has
focused it (by click or Tab); focus the window gave it on opening does not count. Passing over one
while scrolling a page scrolls the page instead, so a sanction or a date never changes by
accident. One filter for the whole application."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QFocusEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QSlider, QWidget

GUARDED = (QComboBox, QAbstractSpinBox, QSlider)
USER_FOCUS = "wheel_guard_user_focus"  # a dynamic property on the guarded widget
USER_REASONS = (Qt.FocusReason.MouseFocusReason, Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                Qt.FocusReason.ShortcutFocusReason)
# focus that leaves for a popup or another window comes back to the same choice of the user
PASSING_REASONS = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)


def guarded_widget(widget: QWidget) -> QWidget | None:
    """`widget` or the guarded widget it is part of (a spin box's line edit), within one window."""
    while widget is not None:
        if isinstance(widget, GUARDED):
            return widget
        if widget.isWindow():
            return None
        widget = widget.parentWidget()
    return None


def user_focused(widget: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return (focused is not None and (focused is widget or widget.isAncestorOf(focused))
            and bool(widget.property(USER_FOCUS)))


def note_focus(widget: QWidget, event: QEvent) -> None:
    reason = event.reason()
    if event.type() == QEvent.Type.FocusIn and reason in USER_REASONS:
        widget.setProperty(USER_FOCUS, True)
    elif reason not in PASSING_REASONS:
        widget.setProperty(USER_FOCUS, False)


def enclosing_scroll_area(widget: QWidget | None) -> QAbstractScrollArea | None:
    while widget is not None and not widget.isWindow():
        widget = widget.parentWidget()
        if isinstance(widget, QAbstractScrollArea):
            return widget
    return None


def scroll_instead(widget: QWidget, event: QWheelEvent) -> None:
    """Give the wheel to the scroll areas around `widget`, innermost first, until one moves."""
    area = enclosing_scroll_area(widget)
    while area is not None:
        viewport = area.viewport()
        forwarded = QWheelEvent(QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint())),
                                event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
                                event.modifiers(), event.phase(), event.inverted(), event.source())
        forwarded.ignore()
        QApplication.sendEvent(viewport, forwarded)
        if forwarded.isAccepted():
            return
        area = enclosing_scroll_area(area)


class WheelGuard(QObject):
    """Installed on the QApplication: sees every widget's events before the widget does."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # every event of the application passes here (thousands when a case step is built): the
        # isinstance tests first, because turning event.type() into its Python enum costs several
        # times more (as in app/ui/idle.py)
        if isinstance(event, QWheelEvent) and isinstance(watched, QWidget):
            target = guarded_widget(watched)
            if target is None or user_focused(target):
                return False
            scroll_instead(target, event)
            return True  # the guarded widget never sees it
        if isinstance(event, QFocusEvent):
            if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut) and isinstance(watched, QWidget):
                target = guarded_widget(watched)
                if target is not None:
                    note_focus(target, event)
        elif isinstance(event, QMouseEvent):
            if event.type() == QEvent.Type.MouseButtonPress and isinstance(watched, QWidget):
                target = guarded_widget(watched)
                if target is not None:
                    target.setProperty(USER_FOCUS, True)  # a click on the field it already had
        elif isinstance(watched, GUARDED) and event.type() == QEvent.Type.Polish:
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel must not focus it either
        return False


def install(app: QApplication) -> WheelGuard:
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
