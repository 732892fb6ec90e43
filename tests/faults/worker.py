"""Child process of the crash suite: imports the app once, then forks one grandchild per request.

Each grandchild unlocks a real store and runs a real service (a series of clue registrations, an
export, an import), writing one line per committed step to its own log file with a flush, so the
parent knows what was committed before it sends SIGKILL. Forking from a process that already holds
the imports (and has run each operation once, `warm`) keeps each run's start-up to milliseconds, so
the kill times fall on the real work.

Protocol (JSON lines): request on stdin; reply {"pid": n} once the grandchild runs, then
{"status": wait status} when it has ended (killed or not).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from app.paths import store_paths
from app.services import cases, review, ruleset, sync, unlock  # noqa: F401 - review: loaded by an import
from tests.faults.support import PASSWORD, TODAY, clue


def phases(start: float):
    """A progress callback that reports each new stage with the time since the fork, for placing kill points."""
    seen: list[str] = []

    def progress(_done: int, _total: int, label: str = "") -> None:
        if label and label not in seen:
            seen.append(label)
            print("phase", f"{time.perf_counter() - start:.4f}", label, flush=True)

    return progress


def run(request: dict, start: float) -> int:
    store = unlock.unlock(store_paths(Path(request["data"])), None, PASSWORD).store
    try:
        if request["op"] == "commits":
            rules = ruleset.load(store)
            for n in range(request["count"]):
                result = cases.register_clue(store, clue(1000 + n), today=TODAY, rules=rules)
                print("committed", result.case_id, flush=True)
        elif request["op"] == "export":
            result = sync.export(store, "C01", Path(request["out"]), full=True, progress=phases(start))
            print("exported", Path(result.bundle).name, flush=True)
        else:
            (result,) = sync.import_bundles(store, [Path(request["file"])], progress=phases(start))
            print("imported" if not result.refused else "refused", result.code, result.new, flush=True)
            return 2 if result.refused else 0
    finally:
        store.close()
    return 0


def child(request: dict, start: float) -> None:
    fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 1
    try:
        code = run(request, start)
    except BaseException:  # noqa: BLE001 - reported to the parent through the log and the exit code
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def warm(request: dict) -> None:
    """Run once in this process, so the forks inherit what the first run loads and caches (rules, mappers)."""
    with open(request["log"], "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        code = run(request, time.perf_counter())
    print(json.dumps({"pid": 0}), flush=True)
    print(json.dumps({"status": code << 8}), flush=True)


def main() -> None:
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("warm"):
            warm(request)
            continue
        sys.stdout.flush()
        # the log exists before the fork: a kill that lands before the child opens it finds it empty
        os.close(os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            child(request, start)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": status}), flush=True)


if __name__ == "__main__":
    main()
