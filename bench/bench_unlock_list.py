"""Unlock to the 案件 list with 10,000 cases, KDF excluded, and the peak memory with them shown.

A store with the standard KDF profile gets 10,000 demonstration cases (bench/bulk_cases.py). Each
run starts the app's real GUI entry in a fresh process (bench/app_probe.py): the unlock window
comes up, the password goes in, 解锁 is pressed, and the run ends when the main window shows the
案件 page with all 10,000 rows loaded and painted. Figures are medians over the runs:

- unlock: from pressing 解锁 to the painted list, minus the Argon2id derivations of that very run
  (`app.storage.kdf.derive` is timed in the child; nothing else is subtracted). Two ways of
  pressing 解锁 are measured:
  - typed: the password is typed key by key, which starts loading the modules unlocking needs
    (app/ui/preload.py), and 解锁 is pressed when that loading is done — a person typing a password
    takes longer than the loading (its duration is printed);
  - at once: 解锁 is pressed the moment the window is usable, so the imports of SQLAlchemy, the
    models and the pages fall inside the unlock.
- memory: the child's peak resident set (VmHWM) when it quits with the 10,000 cases shown.

Goals (issue #9): unlock with the KDF excluded ≤ 0.5 s; peak memory with 10,000 cases ≤ 250 MiB.
Run: python -m bench unlock_list   (about a minute)
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

CASES = 10_000
PASSWORD = "bench-2026-unlock"
RUNS = 5
UNLOCK_GOAL_S, MEMORY_GOAL_MIB = 0.5, 250


def make_store(data: Path) -> None:
    from app.paths import store_paths
    from app.services import setup, unlock
    from bench.bulk_cases import insert_cases

    paths = store_paths(data)
    setup.create_store(paths, setup.SetupRequest("HX-01", "红星镇纪委", "township", "管理员", PASSWORD,
                                                 parent_code="LX", office_abbr="红纪"))
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        insert_cases(store, CASES)
    finally:
        store.close()


def run_probe(mode: str, data: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "bench.app_probe", mode, PASSWORD, str(CASES), "--data-dir", str(data)],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent, check=False)
    if done.returncode != 0:
        raise SystemExit(f"app_probe {mode} failed:\n{done.stderr[-2000:]}")
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    if marks.get("rows") != CASES:
        raise SystemExit(f"the list showed {marks.get('rows')} rows, not {CASES}")
    return marks


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-unlock-"))
    try:
        data = root / "data"
        started = time.perf_counter()
        make_store(data)
        print(f"store with {CASES} demonstration cases (standard KDF) made in {time.perf_counter() - started:.1f} s")
        results: dict[str, list[dict]] = {"typed": [], "unlock": []}
        for _ in range(RUNS):
            for mode, runs in results.items():
                runs.append(run_probe(mode, data))

        def median(mode: str, fn) -> float:
            return statistics.median(fn(m) for m in results[mode])

        print(f"median of {RUNS} runs each, fresh process per run")
        for mode, title in (("typed", "typed, then 解锁"), ("unlock", "解锁 at once")):
            total = median(mode, lambda m: m["listed"] - m["submit"])
            kdf = median(mode, lambda m: m["kdf"])
            unlock = median(mode, lambda m: m["listed"] - m["submit"] - m["kdf"])
            opened = median(mode, lambda m: m["store_open"] - m["submit"] - m["kdf"])
            window = median(mode, lambda m: m["window"] - m["store_open"])
            listed = median(mode, lambda m: m["listed"] - m["window"])
            memory = median(mode, lambda m: m["peak_rss_mib"])
            print(f"{title}:")
            if all("preloaded" in m for m in results[mode]):
                print(f"  loading while typing             {median(mode, lambda m: m['preloaded'] - m['typed']) * 1000:7.0f} ms")
            print(f"  解锁 to 10,000 rows painted      {total * 1000:7.0f} ms   of which KDF {kdf * 1000:5.0f} ms")
            print(f"  unlock, KDF excluded             {unlock * 1000:7.0f} ms   goal <= {UNLOCK_GOAL_S * 1000:.0f} ms")
            print(f"    open the store (KDF excluded)  {opened * 1000:7.0f} ms")
            print(f"    build and show the main window {window * 1000:7.0f} ms")
            print(f"    load and paint the list        {listed * 1000:7.0f} ms")
            print(f"  peak RSS with {CASES} cases shown {memory:7.1f} MiB   goal <= {MEMORY_GOAL_MIB} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
