"""The mouse wheel changes a combo box, spin box, date field or slider only once the user has
focused it (by click or Tab); focus the window gave it on opening does not count. Passing over one
while scrolling a page scrolls the page instead, so a sanction or a date never changes by
accident. One guard for the whole application, on its windows and on the guarded widgets the
user's input may reach."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QWheelEvent, QWindow
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QSlider, QWidget

from app.ui.window_watch import WindowWatcher

GUARDED = (QComboBox, QAbstractSpinBox, QSlider)
USER_FOCUS = "wheel_guard_user_focus"  # a dynamic property on the guarded widget
GUARDING = "wheel_guard_watched"  # the guard watches its events
SWEPT_AT, SWEEP_DUE = "wheel_guard_swept_at", "wheel_guard_sweep_due"  # on a top-level widget
SWEEP_MS = 250
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


class WheelGuard(WindowWatcher):
    """Watches each window and its top-level widget (app/ui/window_watch.py) and, once they may be
    reached, the guarded widgets in it: their own events are few, where a filter on the whole
    application would be called for every event of every widget. A guarded widget is watched from
    whichever comes first after it was made: the wheel or a click arriving at the window over it,
    Tab arriving at the window, its window being watched, or a repaint of the window (at most one
    sweep of a window per SWEEP_MS, the last repaint's always followed by one)."""

    def window_added(self, window: QWindow) -> None:
        top = top_level(window)
        if top is not None:
            top.installEventFilter(self)
            self.guard_all(top)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWindow):
            # the user's input reaches the window before any widget: the wheel must not focus a
            # guarded widget before the guard sees it, nor a click or Tab focus one unseen
            if isinstance(event, QWheelEvent) or (
                    isinstance(event, QMouseEvent) and event.type() == QEvent.Type.MouseButtonPress):
                self.guard_at(top_level(watched), event.position().toPoint())
            elif isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and moves_focus(event):
                self.guard_all(top_level(watched))
            return False
        if isinstance(event, QWheelEvent):
            target = guarded_widget(watched)
            if target is None or user_focused(target):
                return False
            scroll_instead(target, event)
            return True  # the guarded widget never sees it
        if isinstance(event, QFocusEvent):
            if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
                target = guarded_widget(watched)
                if target is not None:
                    note_focus(target, event)
        elif isinstance(event, QMouseEvent):
            if event.type() == QEvent.Type.MouseButtonPress:
                target = guarded_widget(watched)
                if target is not None:
                    target.setProperty(USER_FOCUS, True)  # a click on the field it already had
        elif watched.isWidgetType() and watched.isWindow() and event.type() == QEvent.Type.UpdateRequest:
            self.sweep_soon(watched)  # what a repaint shows is guarded before the user can reach it
        return False

    def guard_at(self, top: QWidget | None, point) -> None:
        under = top.childAt(point) if top is not None else None
        target = guarded_widget(under) if under is not None else None
        if target is not None and not target.property(GUARDING):
            self.guard(target)

    def sweep_soon(self, top: QWidget) -> None:
        """Sweep `top` now if it was not swept in the last SWEEP_MS, else once that time is up:
        scrolling repaints for every notch."""
        if top.property(SWEEP_DUE):
            return
        waited = SWEEP_MS - (time.monotonic() - (top.property(SWEPT_AT) or 0.0)) * 1000
        if waited <= 0:
            self.guard_all(top)
            return
        top.setProperty(SWEEP_DUE, True)

        def due() -> None:
            top.setProperty(SWEEP_DUE, False)
            self.guard_all(top)

        QTimer.singleShot(int(waited) + 1, top, due)

    def guard_all(self, top: QWidget | None) -> None:
        if top is None:
            return
        top.setProperty(SWEPT_AT, time.monotonic())
        for kind in GUARDED:
            for widget in top.findChildren(kind):
                if not widget.property(GUARDING):
                    self.guard(widget)

    def guard(self, widget: QWidget) -> None:
        widget.setProperty(GUARDING, True)
        if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel must not focus it either
        for part in (widget, *widget.findChildren(QWidget)):  # a spin box's line edit takes the focus and the wheel
            part.installEventFilter(self)


def top_level(window: QWindow | None) -> QWidget | None:
    """The top-level widget shown in `window`."""
    if window is None:
        return None
    return next((w for w in QApplication.topLevelWidgets() if w.windowHandle() is window), None)


def moves_focus(event: QKeyEvent) -> bool:
    """Tab, Shift+Tab, or a shortcut (Alt+letter) that may focus a field."""
    return event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) or bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)


def install(app: QApplication) -> WheelGuard:
    guard = WheelGuard(app)
    guard.follow(app)
    return guard
