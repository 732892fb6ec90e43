"""Start-up: process start to a usable unlock window, against a bare PySide6 window, and peak memory.

- app: `python -m bench.app_probe ready --data-dir X` — the app's real GUI entry on an existing
  store (standard KDF profile), observed from outside (see bench/app_probe.py): "shown" is the first
  turn of the event loop after the unlock window's show(), "ready" is when its account list is
  filled and 解锁 can be pressed (the figure compared with the goal).
- baseline: `python -m bench.bare_window` — QApplication plus a QWidget with a label, a password
  field and a button, shown; timed to the first turn of the event loop after show().
- both: from just before the parent starts the process (interpreter start included); peak RSS is
  the child's VmHWM when it quits (bench/peak_memory.py). QT_QPA_PLATFORM=offscreen. Runs
  alternate; medians.

Goals (issue #9): ready ≤ 2.0 × bare; peak memory ≤ 2.5 × bare.
Run: python -m bench startup   (about half a minute)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
PASSWORD = "bench-2026-start"
TIME_GOAL, MEMORY_GOAL = 2.0, 2.5


def run_child(module: str, *args: str) -> tuple[float, dict]:
    """(monotonic start, the child's JSON marks)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=env, cwd=Path(__file__).parent.parent)
    out, _ = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"{module} failed with exit code {child.returncode}")
    return started, json.loads(out.strip().splitlines()[-1])


def make_store(data: Path) -> None:
    from app.paths import store_paths
    from app.services import setup

    setup.create_store(store_paths(data), setup.SetupRequest("HX-01", "红星镇纪委", "township", "管理员", PASSWORD,
                                                             parent_code="LX", office_abbr="红纪"))


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        data = root / "data"
        make_store(data)
        bare_shown, bare_rss, app_shown, app_ready, app_rss = [], [], [], [], []
        heavy: set[str] = set()
        for _ in range(RUNS):
            started, marks = run_child("bench.bare_window")
            bare_shown.append(marks["shown"] - started)
            bare_rss.append(marks["peak_rss_mib"])
            started, marks = run_child("bench.app_probe", "ready", "--data-dir", str(data))
            app_shown.append(marks["shown"] - started)
            app_ready.append(marks["ready"] - started)
            app_rss.append(marks["peak_rss_mib"])
            heavy.update(marks["heavy"])
        bare_s, shown_s, ready_s = (statistics.median(v) for v in (bare_shown, app_shown, app_ready))
        bare_m, app_m = statistics.median(bare_rss), statistics.median(app_rss)
        print(f"median of {RUNS} runs each, from process start")
        print(f"bare PySide6 window shown        {bare_s * 1000:7.0f} ms   peak RSS {bare_m:6.1f} MiB")
        print(f"unlock window shown              {shown_s * 1000:7.0f} ms   ratio {shown_s / bare_s:4.2f}x")
        print(f"unlock window ready (accounts)   {ready_s * 1000:7.0f} ms   ratio {ready_s / bare_s:4.2f}x   "
              f"goal <= {TIME_GOAL}x")
        print(f"peak RSS at the unlock window    {app_m:7.1f} MiB  ratio {app_m / bare_m:4.2f}x   goal <= {MEMORY_GOAL}x")
        print(f"heavy modules loaded at the unlock window: {', '.join(sorted(heavy)) or 'none'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
