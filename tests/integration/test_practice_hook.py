"""Cases reach the practice room's grading only through services/practice_flag.py: a process that
opens a practice store and decides in it without the room loaded is refused, never left ungraded."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from app.paths import store_paths
from app.services import practice

TRAINER_PASSWORD = "trainer-room-2026"

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from datetime import date
    from app.errors import AppError
    from app.paths import store_paths
    from app.services import cases, unlock
    assert "app.services.practice" not in sys.modules
    store = unlock.unlock(store_paths(Path(sys.argv[1]), practice=True), None, sys.argv[2]).store
    case_id = cases.register_clue(store, {"received_on": "2026-03-02", "source": "自行发现",
                                          "persons": [{"name": "练习丙"}], "summary": "反映练习丙有关问题"},
                                  today=date(2026, 3, 3)).case_id
    try:
        cases.act(store, case_id, {"type": "decide", "decision_id": "accept", "decided_on": "2026-03-03",
                                   "approver": "纪委书记"}, today=date(2026, 3, 3))
    except AppError as exc:
        print(exc.code)
    finally:
        store.close()
""")


def test_a_practice_decision_without_the_practice_room_is_refused(tmp_path):
    data = tmp_path / "data"
    practice.create_store(store_paths(data, practice=True), "培训管理员", TRAINER_PASSWORD)
    ran = subprocess.run([sys.executable, "-c", SCRIPT, str(data), TRAINER_PASSWORD], capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "practice_not_loaded", ran.stdout
