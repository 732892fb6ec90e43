"""Drive the real app like a person at the keyboard: a real X server (Xvfb with openbox as the window
manager), real input through the X server's XTest extension (`xdotool`), widgets found by the text
the user sees.

The app runs on the main thread in its own event loop, built as `python -m app` builds it
(app/bootstrap.py::run_gui). The user's script runs on a second thread. It looks at widgets only
through `User.gui`, which runs a function on the GUI thread and hands back its result, and it acts
only through xdotool. Why a second thread: the app's prompts (app/ui/prompter.py) are
`QMessageBox.exec()`, a nested event loop. A driver that pumped events on the GUI thread itself
would be stuck inside such a loop until someone closed the box; this one sees the box and says so.

Importable without pytest (bench/ uses it): `start_display()` first (Qt must find the X server when
the QApplication is made), then `AppSession(data_dir).play(script)`, `close()`, `end_application()`,
`display.stop()`.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QTabBar,
    QWidget,
)

from app.paths import store_paths
from app.ui.app_controller import AppController
from app.ui.application import create_application
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner
from app.ui.window_watch import WindowWatcher

SCREEN = (1366, 768)
SHOTS = Path("/tmp/journey_shots")
GUI_TIMEOUT_S = 20.0  # one GUI-thread call; longer means the GUI thread is blocked
TYPE_DELAY_MS = 12
WHEEL_PX = 60  # roughly what one wheel click scrolls in a scroll area
FIRST_MEDIA_KEYCODE = 136  # in the X server's default (evdev) keyboard map
REQUIRED_TOOLS = ("Xvfb", "openbox", "xdotool", "xdpyinfo", "xprop", "xmodmap")


# --- the X server -----------------------------------------------------------------------


@dataclass
class Display:
    """A running Xvfb with openbox on it; `stop()` ends both."""

    name: str
    log_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
        self.processes.clear()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s" + (f"; its log ends:\n{tail}" if tail else ""))


def start_display() -> Display:
    """Start Xvfb at the app's target size and openbox on it, and point Qt at them (DISPLAY,
    QT_QPA_PLATFORM=xcb). Call before any QApplication exists."""
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"missing {', '.join(missing)}: apt-get install -y xvfb xdotool openbox x11-utils "
                           "x11-xserver-utils")
    log_dir = Path(tempfile.mkdtemp(prefix="journey-x-"))
    xvfb_log = log_dir / "xvfb.log"
    # -displayfd: Xvfb takes a free display number itself and writes it here, so that parallel
    # runs (a test run and a benchmark) never race for the same one
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-nolisten", "tcp"], pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                            stderr=xvfb_log.open("w"))
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        ready, _, _ = select.select([announced], [], [], 20)
        number = announced.readline().strip() if ready else ""
    name = f":{number}"
    display = Display(name, log_dir, [xvfb])
    if not number.isdigit():
        display.stop()
        raise RuntimeError(f"Xvfb did not start: {xvfb_log.read_text(errors='replace')[-2000:]}")
    env = {**os.environ, "DISPLAY": name}

    def xvfb_up() -> bool:
        return subprocess.run(["xdpyinfo"], env=env, capture_output=True).returncode == 0

    try:
        wait_for(xvfb_up, 20, f"Xvfb on {name} answering", xvfb_log)
        start_window_manager(display, env)
    except BaseException:
        display.stop()
        raise
    os.environ["DISPLAY"] = name
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.pop("WAYLAND_DISPLAY", None)
    return display


def start_window_manager(display: Display, env: dict, attempts: int = 3) -> None:
    """openbox on the display, once it announces itself. On a loaded machine it has been seen to
    start and then never take the screen, so a silent one is replaced, up to `attempts` times."""
    log = display.log_dir / "openbox.log"

    def managing() -> bool:
        # a window manager announces itself with this root property
        return "window id" in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env,
                                             capture_output=True, text=True).stdout

    for attempt in range(1, attempts + 1):
        openbox = subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=log.open("a"))
        display.processes.append(openbox)
        try:
            wait_for(managing, 20, "openbox managing the screen", log)
            return
        except RuntimeError:
            if attempt == attempts:
                raise
            openbox.kill()
            openbox.wait(timeout=5)
            display.processes.remove(openbox)


def xdotool(*args: str) -> None:
    result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")


class KeyMap:
    """Binds characters the keyboard map lacks (Chinese) to spare keycodes, and keeps them bound.

    `xdotool type` would bind such a character itself for one key press and unbind it at once;
    Qt reads the new map only when it handles the mapping event, often after the unbinding, and
    then drops the character. Bound ahead and left bound, every character arrives."""

    def __init__(self):
        self.bound: dict[str, int] = {}  # character -> keycode, oldest first
        self.spare: list[int] = []
        listing = subprocess.run(["xmodmap", "-pke"], capture_output=True, text=True, check=True).stdout
        for line in listing.splitlines():
            head, _, symbols = line.partition("=")
            code = int(head.split()[1])
            # unbound keycodes, and those past the main block and the cursor keys (media and
            # launcher keys, which nobody presses here): Xvfb leaves only 19 keycodes unbound
            if not symbols.strip() or code >= FIRST_MEDIA_KEYCODE:
                self.spare.append(code)

    def ensure(self, text: str) -> None:
        missing = sorted({c for c in text if not (" " <= c <= "~") and c not in self.bound})
        if not missing:
            return
        evictable = [c for c in self.bound if c not in text]  # oldest first
        if len(missing) > len(self.spare) + len(evictable):
            raise AssertionError(f"“{text}” has more new characters than there are spare keycodes")
        for char in evictable[: max(0, len(missing) - len(self.spare))]:
            self.spare.append(self.bound.pop(char))
        commands = []
        for char in missing:
            code = self.spare.pop(0)
            self.bound[char] = code
            commands += ["-e", f"keycode {code} = U{ord(char):04X} U{ord(char):04X}"]
        subprocess.run(["xmodmap", *commands], check=True, timeout=30)


# --- the app ------------------------------------------------------------------------------


class AppSession:
    """The app as `python -m app` builds it, on a store in `data_dir`: fast KDF, no auto-lock.
    `play(script)` shows the first screen and runs `script(user)` until it returns."""

    IDLE_MS = 24 * 3600 * 1000

    def __init__(self, data_dir: Path):
        self.paths = store_paths(data_dir)
        self.gui_thread = threading.current_thread()
        prompter = Prompter()
        self.qapp = create_application(prompter)
        # the script ends a run, not the last window: between two sessions no window is left
        QApplication.setQuitOnLastWindowClosed(False)
        self.runner = TaskRunner(self.qapp)
        self.controller = AppController(self.paths, self.runner, prompter, kdf_profile="fast", idle_ms=self.IDLE_MS)
        self.bridge = Bridge()
        self.keymap = KeyMap()
        self.input_seen = InputWatch()
        self.input_seen.follow(self.qapp)

    def play(self, script: Callable[[User], None], timeout_s: float = 300) -> None:
        loop = QEventLoop()
        failure: list[BaseException] = []
        user = User(self)

        def body() -> None:
            try:
                script(user)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread below
                failure.append(exc)
                try:
                    print(f"screen at failure: {user.screenshot('failure', folder=Path(tempfile.mkdtemp()))}")
                except Exception as shot_problem:  # noqa: BLE001 - the failure itself matters more
                    print(f"no screenshot at failure: {shot_problem}")
            finally:
                self.bridge.post(lambda: (close_modals(), loop.quit()))

        self.controller.start()
        thread = threading.Thread(target=body, name="journey-user", daemon=True)
        thread.start()
        watchdog = QTimer()
        watchdog.setSingleShot(True)
        watchdog.timeout.connect(lambda: (close_modals(), loop.quit()))
        watchdog.start(int(timeout_s * 1000))
        loop.exec()
        watchdog.stop()
        thread.join(5)
        if thread.is_alive():
            raise AssertionError(f"the journey did not end within {timeout_s:.0f} s; the user was at: {user.where()}")
        if failure:
            raise failure[0]

    def close(self) -> None:
        self.controller.shutdown()
        for widget in QApplication.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.input_seen.unfollow(self.qapp)


def end_application() -> None:
    """Delete the QApplication, which closes its X connection: call before stopping the display,
    whose disappearance would otherwise end the process from inside Qt ("X11 connection broke")."""
    app = QApplication.instance()
    if app is None:
        return
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    shiboken6.delete(app)


class Bridge(QObject):
    """Lives on the GUI thread and runs the functions other threads post to it."""

    sig_job = Signal(object)

    def __init__(self):
        super().__init__()
        self.sig_job.connect(self.run_job, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def run_job(self, job) -> None:
        job()

    def post(self, job: Callable[[], Any]) -> None:
        self.sig_job.emit(job)


class InputWatch(WindowWatcher):
    """Counts the clicks, key releases and wheel turns the app's windows receive from the X server, so
    that the driver knows its input has arrived before it looks at the effect. A click counts at its
    press: the press goes to the window the driver saw, where a release may go to a popup the press
    opened (a menu, a combo box's list), which no filter is on yet."""

    def __init__(self):
        super().__init__()
        self.mouse = 0
        self.keys = 0
        self.wheels = 0

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self.mouse += 1
        elif kind == QEvent.Type.KeyRelease:
            self.keys += 1
        elif kind == QEvent.Type.Wheel:
            self.wheels += 1
        return False


def close_modals() -> None:
    for _ in range(10):
        modal = QApplication.activePopupWidget() or QApplication.activeModalWidget()
        if modal is None:
            return
        modal.done(0) if isinstance(modal, QDialog) else modal.close()


# --- finding widgets by their text (GUI thread) ---------------------------------------------


def plain(text: str) -> str:
    """The text as shown: without the & of a keyboard mnemonic."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def roots():
    """Where a user can click now: the open popup, else the modal dialog, else every visible window."""
    top = QApplication.activePopupWidget() or QApplication.activeModalWidget()
    if top is not None:
        return [top]
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def descendants(root):
    return [root, *root.findChildren(QWidget)]


def shown_texts(widget) -> list[tuple[str, Any]]:
    """(text, rect in widget coordinates or None for the whole widget) for what a widget shows."""
    if isinstance(widget, QAbstractButton):
        return [(plain(widget.text()), None)]
    if isinstance(widget, QLabel):
        return [(widget.text(), None)]
    if isinstance(widget, QGroupBox):
        return [(widget.title(), None)]
    if isinstance(widget, QTabBar):
        return [(plain(widget.tabText(i)), widget.tabRect(i)) for i in range(widget.count())]
    if isinstance(widget, QListWidget):
        return [(widget.item(i).text(), ("item", i)) for i in range(widget.count())]
    return []


@dataclass
class Found:
    widget: Any
    part: Any  # None, a QRect in widget coordinates, or ("item", row) of a list widget

    def describe(self) -> str:
        name = self.widget.objectName()
        return f"{type(self.widget).__name__}{'#' + name if name else ''} in “{self.widget.window().windowTitle()}”"


def search(text: str, kind, within=None) -> tuple[list[Found], list[str]]:
    """Visible widgets of `kind` showing exactly `text`, and the texts that came close."""
    matches, near = [], []
    for root in ([within] if within is not None else roots()):
        for widget in descendants(root):
            if not widget.isVisible() or not isinstance(widget, kind):
                continue
            for shown, part in shown_texts(widget):
                if shown == text:
                    matches.append(Found(widget, part))
                elif shown and (text in shown or shown in text):
                    near.append(shown)
    return matches, near


def container(text: str):
    """A group box with this title, the field of a form row with this label, or a window with this title."""
    for root in roots():
        if root.windowTitle() == text:
            return root
        for widget in descendants(root):
            if not widget.isVisible():
                continue
            if isinstance(widget, QGroupBox) and widget.title() == text:
                return widget
            if isinstance(widget, QLabel) and widget.text() == text and widget.buddy() is not None:
                return widget.buddy()
    raise AssertionError(f"nothing titled “{text}” is on screen")


def part_rect(found: Found):
    """The clicked area in widget coordinates."""

    part = found.part
    if part is None and isinstance(found.widget, QCheckBox | QRadioButton):
        # only the box and its text take the click, not the rest of a row the layout stretched it to
        width = min(found.widget.sizeHint().width(), found.widget.width())
        return QRect(0, 0, width, found.widget.height())
    if part is None:
        return found.widget.rect()
    if isinstance(part, QRect):
        return part
    view = found.widget
    rect = view.visualItemRect(view.item(part[1]))
    return QRect(view.viewport().mapTo(view, rect.topLeft()), rect.size())


def scroll_need(found: Found):
    """None when the part is fully inside every scroll area around it, else (scroll bar, pixels to scroll)."""
    rect = part_rect(found)
    parent = found.widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(found.widget):
            viewport = parent.viewport()
            top = found.widget.mapTo(viewport, rect.topLeft()).y()
            bottom = top + min(rect.height(), viewport.height())
            if top < 0:
                return parent.verticalScrollBar(), top
            if bottom > viewport.height():
                return parent.verticalScrollBar(), bottom - viewport.height()
        parent = parent.parentWidget()
    return None


def window_ready(widget) -> bool:
    window = widget.window()
    handle = window.windowHandle()
    return handle is not None and handle.isExposed() and window.isActiveWindow()


def global_center(widget, rect) -> tuple[int, int]:
    point = widget.mapToGlobal(rect.center())
    return point.x(), point.y()


# --- the user (script thread) ---------------------------------------------------------------


class User:
    """What a person can do: click, tick, type, press keys, choose in a list, look at the screen."""

    def __init__(self, session: AppSession):
        self.session = session
        self.runner = session.runner
        self.controller = session.controller

    # plumbing -----------------------------------------------------------------------------

    def gui(self, fn: Callable, *args) -> Any:
        """Run `fn(*args)` on the GUI thread and return its result (or raise its exception)."""
        if threading.current_thread() is self.session.gui_thread:
            return fn(*args)
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def job() -> None:
            try:
                outcome["value"] = fn(*args)
            except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
                outcome["error"] = exc
            finally:
                done.set()

        self.session.bridge.post(job)
        if not done.wait(GUI_TIMEOUT_S):
            raise AssertionError(f"the app did not respond within {GUI_TIMEOUT_S:.0f} s (GUI thread blocked)")
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 10, what: str = "the condition",
                   describe: Callable[[], str] | None = None) -> Any:
        """Poll `predicate` on the GUI thread until it is true; fail saying what was awaited and where the user is."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.gui(predicate)
            if value:
                return value
            if time.monotonic() > deadline:
                seen = describe() if describe is not None else ""
                raise AssertionError(f"waited {timeout:.0f} s for {what}" + (f"; {seen}" if seen else ""))
            time.sleep(0.03)

    def settle(self) -> None:
        """Until no task runs and the events it caused are handled (twice in a row, a little apart)."""
        quiet = 0
        deadline = time.monotonic() + 30
        while quiet < 2:
            if time.monotonic() > deadline:
                raise AssertionError("the app stayed busy for 30 s")
            quiet = quiet + 1 if not self.gui(lambda: self.runner.busy) else 0
            time.sleep(0.04)

    def seen(self, kind: str) -> int:
        """How many `kind` (mouse, keys, wheels) the app has received; from here on every window now
        open is watched, also one not yet activated that the input may go to."""
        self.gui(self.session.input_seen.watch_all)
        return getattr(self.session.input_seen, kind)

    def await_input(self, attribute: str, before: int, what: str) -> None:
        self.wait_until(lambda: getattr(self.session.input_seen, attribute) > before, 5,
                        f"the app to receive {what}")

    # finding ----------------------------------------------------------------------------

    def find(self, text: str, kind=None, within: str | None = None) -> Found:
        """The one visible widget of `kind` showing exactly `text` (inside `within`, a group box title,
        form label or window title); an AssertionError lists what is there instead."""
        kind = kind or QWidget

        def look():
            matches, near = search(text, kind, container(within) if within else None)
            return matches, sorted(set(near))

        deadline = time.monotonic() + 5  # a screen may still be building after a reload
        while True:
            matches, near = self.gui(look)
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        where = f" inside “{within}”" if within else ""
        if not matches:
            raise AssertionError(f"no visible {kind.__name__} shows “{text}”{where}; near: {near[:10]}; "
                                 f"on screen: {self.where()}")
        raise AssertionError(f"“{text}”{where} is ambiguous: {[m.describe() for m in matches]}")

    def reveal(self, found: Found) -> tuple[int, int]:
        """Scroll `found` into view with the mouse wheel over the scroll bar (never over the form,
        where a wheel would change a combo box) and return its centre on screen. Waits for the
        window to be up first: openbox places and activates a new window after Qt shows it, and a
        click computed before that lands elsewhere."""
        self.wait_until(lambda: window_ready(found.widget), 5, f"the window of {self.gui(found.describe)} to be active")
        for _ in range(40):
            need = self.gui(scroll_need, found)
            if need is None:
                x, y = self.gui(lambda: global_center(found.widget, part_rect(found)))
                if not self.gui(lambda: QGuiApplication.primaryScreen().geometry().contains(x, y)):
                    raise AssertionError(f"{self.gui(found.describe)} is off the screen, at ({x}, {y})")
                return x, y
            bar, pixels = need
            if not self.gui(bar.isVisible):
                raise AssertionError(f"{self.gui(found.describe)} is outside its scroll area, which has no scroll bar")
            x, y = self.gui(lambda: global_center(bar, bar.rect()))
            clicks = max(1, min(10, abs(pixels) // WHEEL_PX))
            before = self.seen("wheels")
            xdotool("mousemove", str(x), str(y), "click", "--repeat", str(clicks), "--delay", "10",
                    "5" if pixels > 0 else "4")
            self.await_input("wheels", before + clicks - 1, "the wheel")
        raise AssertionError(f"could not scroll {self.gui(found.describe)} into view")

    # acting -----------------------------------------------------------------------------

    def click_at(self, x: int, y: int) -> None:
        # no --sync: it waits for the pointer to move, forever when it is there already; the X
        # server applies the move before the click either way
        before = self.seen("mouse")
        xdotool("mousemove", str(x), str(y), "click", "1")
        self.await_input("mouse", before, "the click")

    def click(self, text: str, kind=None, within: str | None = None) -> None:
        """Click the visible button (or `kind`) showing `text`, then wait until the app is idle."""
        found = self.find(text, kind or QAbstractButton, within)
        if not self.gui(found.widget.isEnabled):
            raise AssertionError(f"“{text}” cannot be clicked: it is disabled")
        self.click_at(*self.reveal(found))
        self.settle()

    def check(self, text: str, within: str | None = None) -> None:
        """Tick the check box labelled `text` (it must not be ticked yet)."""
        found = self.find(text, QCheckBox, within)
        if self.gui(found.widget.isChecked):
            raise AssertionError(f"“{text}” is ticked already")
        self.click_at(*self.reveal(found))
        # a screen may rebuild itself on the change: look for the box by its text again
        self.wait_until(lambda: any(m.widget.isChecked() for m in search(text, QCheckBox, container(within)
                                                                         if within else None)[0]),
                        5, f"“{text}” to be ticked")
        self.settle()

    def field(self, label: str, kind, within: str | None = None):
        """The input of kind `kind` in the form row labelled `label`."""
        found = self.find(label, QLabel, within)

        def editor():
            buddy = found.widget.buddy()
            if buddy is None:
                return None
            return buddy if isinstance(buddy, kind) else buddy.findChild(kind)

        widget = self.gui(editor)
        if widget is None:
            raise AssertionError(f"the row “{label}” has no {kind.__name__}")
        return widget

    def type_into(self, label: str, text: str, within: str | None = None) -> None:
        """Click into the field labelled `label`, select what is there, type `text` key by key
        (Chinese characters too: see KeyMap)."""
        try:
            widget = self.field(label, QLineEdit, within)
        except AssertionError:
            widget = self.field(label, QPlainTextEdit, within)
        found = Found(widget, None)
        self.click_at(*self.reveal(found))
        self.wait_until(widget.hasFocus, 5, f"the field “{label}” to take the keyboard focus")
        self.press("ctrl+a")
        self.session.keymap.ensure(text)
        before = self.seen("keys")
        xdotool("type", "--delay", str(TYPE_DELAY_MS), "--", text)
        self.await_input("keys", before, "the typing")
        value = (lambda: widget.text()) if isinstance(widget, QLineEdit) else (lambda: widget.toPlainText())
        self.wait_until(lambda: value() == text, 5, f"“{text}” in the field “{label}”",
                        lambda: f"it shows “{self.gui(value)}”")
        self.settle()

    def press(self, *keys: str) -> None:
        """Press keys as xdotool names them: "Return", "ctrl+a", "Escape"."""
        before = self.seen("keys")
        xdotool("key", "--delay", "30", *keys)
        self.await_input("keys", before, f"the key {' '.join(keys)}")
        self.settle()

    def choose(self, label: str, item: str, within: str | None = None) -> None:
        """Open the combo box of the form row `label` (or "" for the only one inside `within`) with a
        click and click `item` in its list."""
        if label:
            combo = self.field(label, QComboBox, within)
        else:
            combos = self.gui(lambda: [c for c in container(within).findChildren(QComboBox) if c.isVisible()])
            if len(combos) != 1:
                raise AssertionError(f"expected one combo box inside “{within}”, found {len(combos)}")
            combo = combos[0]
        if self.gui(combo.currentText) == item:
            return
        self.click_at(*self.reveal(Found(combo, None)))
        popup = self.wait_until(QApplication.activePopupWidget, 5, f"the list of “{label or within}” to open")

        def item_rect():
            view = combo.view()
            row = combo.findText(item)
            if row < 0:
                return None
            rect = view.visualRect(view.model().index(row, 0))
            return global_center(view.viewport(), rect) if view.viewport().rect().contains(rect.center()) else "hidden"

        point = self.gui(item_rect)
        if point is None:
            raise AssertionError(f"“{item}” is not in the list of “{label or within}”: "
                                 f"{self.gui(lambda: [combo.itemText(i) for i in range(combo.count())])}")
        if point == "hidden":
            raise AssertionError(f"“{item}” is below the fold of the list of “{label or within}”")
        self.click_at(*point)
        self.wait_until(lambda: not popup.isVisible() and combo.currentText() == item, 5,
                        f"“{item}” chosen in “{label or within}”")
        self.settle()

    def wheel_over(self, label: str, clicks: int, kind=QComboBox) -> None:
        """Turn the mouse wheel (down for clicks > 0) with the pointer on the field of row `label`,
        as a user scrolling down a form does when the pointer happens to rest on a field."""
        x, y = self.reveal(Found(self.field(label, kind), None))
        before = self.seen("wheels")
        xdotool("mousemove", str(x), str(y), "click", "--repeat", str(abs(clicks)), "--delay", "30",
                "5" if clicks > 0 else "4")
        self.await_input("wheels", before + abs(clicks) - 1, "the wheel")
        self.settle()

    def go_to(self, page: str) -> None:
        """Click a page in the navigation list on the left."""
        found = self.find(page, QListWidget)
        self.click_at(*self.reveal(found))
        self.settle()

    def menu(self, title: str, item: str) -> None:
        """Click a menu bar title, then an item of the menu that opens."""
        def title_point():
            for root in roots():
                for bar in root.findChildren(QMenuBar):
                    for action in bar.actions():
                        if plain(action.text()) == title and bar.isVisible():
                            return global_center(bar, bar.actionGeometry(action))
            return None

        point = self.gui(title_point)
        if point is None:
            raise AssertionError(f"no menu “{title}” in the menu bar")
        self.click_at(*point)
        menu = self.wait_until(lambda: isinstance(QApplication.activePopupWidget(), QMenu)
                               and QApplication.activePopupWidget(), 5, f"the menu “{title}” to open")

        def item_point():
            for action in menu.actions():
                if plain(action.text()) == item:
                    return global_center(menu, menu.actionGeometry(action)) if action.isEnabled() else "disabled"
            return None

        point = self.gui(item_point)
        if point in (None, "disabled"):
            raise AssertionError(f"the menu “{title}” has no enabled item “{item}”")
        self.click_at(*point)
        self.settle()

    # looking ----------------------------------------------------------------------------

    def shows(self, text: str, kind=None) -> bool:
        return bool(self.gui(lambda: search(text, kind or QWidget)[0]))

    def messages(self) -> list[str]:
        """The message boxes on screen, as "icon: text" (app/ui/prompter.py shows every error as one)."""
        def boxes():
            return [f"{w.icon().name}: {w.text()}" for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()]

        return self.gui(boxes)

    def where(self) -> str:
        """Where the user is, in words: the active window and its headings."""
        def describe():
            window = QApplication.activeModalWidget() or QApplication.activeWindow()
            if window is None:
                return "no active window"
            heads = [w.text() for w in window.findChildren(QLabel) if w.isVisible() and w.text().startswith(
                ("当前环节：", "第一步", "第二步", "第三步", "登记问题线索"))]
            return f"window “{window.windowTitle()}” showing {heads or 'no known heading'}"

        return self.gui(describe)

    def screenshot(self, name: str, folder: Path = SHOTS) -> Path:
        """The whole screen as a PNG."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.png"

        def grab():
            return QGuiApplication.primaryScreen().grabWindow(0).save(str(target))

        if not self.gui(grab):
            raise AssertionError(f"could not save {target}")
        return target
