"""Start-up stays light: the unlock screen comes up without the database stack or the main window.

The real entry (`python -m app --data-dir X`) runs in a child process; once the unlock window has
listed the accounts (the moment 解锁 can be pressed) the child reports which heavy modules are
loaded and quits. SQLAlchemy, the models, the document libraries and the pages load only after
the password is accepted — that is what keeps the start within its goal (bench/bench_startup.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ui_support import ADMIN

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "sqlcipher3", "docxtpl", "docx", "openpyxl", "pyrage", "jinja2",
         "app.models", "app.storage.store", "app.storage.engine", "app.services.cases", "app.ui.main_window",
         "app.ui.pages")

CHILD = """
import json, sys
from PySide6.QtWidgets import QApplication
from app.ui import unlock_window

HEAVY = {heavy!r}
listed = unlock_window.UnlockWindow.on_accounts

def report(window, names):
    listed(window, names)
    loaded = sorted(m for m in sys.modules if m in HEAVY or m.split(".")[0] in HEAVY)
    print(json.dumps({{"accounts": names, "visible": window.isVisible(), "loaded": loaded}}), flush=True)
    QApplication.instance().exit(0)

unlock_window.UnlockWindow.on_accounts = report
from app.__main__ import main
sys.exit(main(["--data-dir", {data!r}]))
"""


def test_unlock_screen_loads_no_database_stack_or_main_window(paths, recovery_code, tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(heavy=HEAVY, data=str(paths.root)), "utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["accounts"] == [ADMIN] and report["visible"]
    assert report["loaded"] == []
