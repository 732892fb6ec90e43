"""Fixtures of the fault suites: the paired stores made once per session, and the forking worker."""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults import support

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> support.Templates:
    return support.build(tmp_path_factory.mktemp("fault-templates"))


@dataclass(frozen=True)
class Run:
    killed: bool
    exit_code: int | None
    seconds: float
    lines: list[str]


class Worker:
    """The parent's side of tests/faults/worker.py."""

    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.faults.worker"], cwd=ROOT, env=env, bufsize=0,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def wait_ready(self) -> None:
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def run(self, request: dict, kill_after: float | None = None) -> Run:
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        start = time.perf_counter()
        pid = json.loads(self.proc.stdout.readline())["pid"]
        if kill_after is not None:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, kill_after - (time.perf_counter() - start)))
            if not ready:
                try:
                    os.kill(pid, signal.SIGKILL)  # the grandchild is not reaped before the worker's waitpid
                except ProcessLookupError:
                    pass  # it ended (and was reaped) just before the kill point: the status line says how
        status = json.loads(self.proc.stdout.readline())["status"]
        seconds = time.perf_counter() - start
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        lines = Path(request["log"]).read_text(encoding="utf-8").splitlines()
        return Run(killed, os.waitstatus_to_exitcode(status) if not killed else None, seconds, lines)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Workers:
    """Two workers, so two kill points run at once: most of a run is waiting for fsync, not computing."""

    def __init__(self, env: dict, count: int = 2):
        self.all = [Worker(env) for _ in range(count)]
        for w in self.all:  # started together: each spends its start-up importing the app
            w.wait_ready()
        self.free: queue.Queue[Worker] = queue.Queue()
        for w in self.all:
            self.free.put(w)

    def run(self, request: dict, kill_after: float | None = None) -> Run:
        w = self.free.get()
        try:
            return w.run(request, kill_after)
        finally:
            self.free.put(w)

    def warm(self, make_request) -> None:
        """Run the operation once inside each worker (make_request(name) -> request)."""
        for n, w in enumerate(self.all):
            result = w.run({**make_request(f"warm{n}"), "warm": True})
            assert result.exit_code == 0, result.lines

    def each(self, items, fn) -> list:
        """fn(index, item) for every item, as many at a time as there are workers; the first failure is raised."""
        with ThreadPoolExecutor(len(self.all)) as pool:
            return [f.result() for f in [pool.submit(fn, n, item) for n, item in enumerate(items)]]

    def close(self) -> None:
        for w in self.all:
            w.close()


@pytest.fixture(scope="session")
def worker(tmp_path_factory):
    # the workspaces of exports and imports go to a folder of their own, so the suite sees what a kill leaves
    tmp = tmp_path_factory.mktemp("worker-tmp")
    workers = Workers({**os.environ, "TMPDIR": str(tmp)})
    yield workers
    workers.close()
