"""A second start of the GUI on the same data directory opens no window: it leaves a raise request
and exits 0, and the running GUI brings its window to the front (app/ui/single_instance.py, wired
in app/bootstrap.py::run_gui). Two real processes, as a user double-clicking the icon twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from app.ui.single_instance import ALREADY_RUNNING, REQUEST_NAME

FIRST = """
import json, sys
from PySide6.QtWidgets import QApplication
from app.ui import app_controller, unlock_window

listed = unlock_window.UnlockWindow.on_accounts

def ready(window, names):
    listed(window, names)
    print("ready", flush=True)

def brought(controller):
    window = controller.unlock_window
    print(json.dumps({{"raised": window.windowTitle(), "visible": window.isVisible()}}), flush=True)
    QApplication.instance().exit(0)

unlock_window.UnlockWindow.on_accounts = ready
app_controller.AppController.bring_to_front = brought
from app.__main__ import main
sys.exit(main(["--data-dir", {data!r}]))
"""

SECOND = """
import sys
from PySide6.QtWidgets import QApplication
from app.__main__ import main
code = main(["--data-dir", {data!r}])
print("no-application" if QApplication.instance() is None else "application", flush=True)
sys.exit(code)
"""


def test_a_second_start_brings_the_running_window_forward(paths, recovery_code, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    first_script, second_script = tmp_path / "first.py", tmp_path / "second.py"
    first_script.write_text(FIRST.format(data=str(paths.root)), "utf-8")
    second_script.write_text(SECOND.format(data=str(paths.root)), "utf-8")
    first = subprocess.Popen([sys.executable, str(first_script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    try:
        assert first.stdout.readline().strip() == "ready"  # its unlock window is up
        started = time.monotonic()
        second = subprocess.run([sys.executable, str(second_script)], capture_output=True, text=True, env=env,
                                timeout=60, check=False)
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - started < 30
        assert second.stdout.strip() == "no-application"  # no QApplication, so no window at all
        assert ALREADY_RUNNING in second.stderr
        report = json.loads(first.stdout.readline())
        assert report["visible"] and "解锁" in report["raised"]
        assert first.wait(timeout=30) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert not (paths.root / REQUEST_NAME).exists()  # the running GUI consumed the request


def test_after_the_first_ends_a_new_start_opens_normally(paths, recovery_code, tmp_path):
    """The lock goes with the process: a later start shows its own unlock window again."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = tmp_path / "first.py"
    script.write_text(FIRST.format(data=str(paths.root)), "utf-8")
    for _ in range(2):
        run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert run.stdout.readline().strip() == "ready"
        finally:
            run.kill()
            run.wait()
