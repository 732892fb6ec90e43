"""Shared by the security tests: fast stores, a child process that holds a store open, and markers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from app.paths import StorePaths, store_paths
from app.services import setup
from tests.integration.conftest import PASSWORD
from tests.integration.conftest import run_cli_captured as run_cli  # the security tests' in-process CLI
from tests.integration.test_sync_roundtrip import make_chain, ok, pair

ROOT = Path(__file__).resolve().parents[2]

# A child that unlocks the store (and optionally opens a document for editing), says "ready" with
# what it made, then waits until it is killed: another window of the app that stays open.
HOLDER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from app.paths import store_paths
    from app.services import unlock
    paths = store_paths(Path(sys.argv[1]), practice=sys.argv[3] == "practice")
    store = unlock.unlock(paths, None, sys.argv[2]).store
    opened = None
    if len(sys.argv) > 4:
        from app.services import document_files
        opened = str(document_files.export_for_editing(store, sys.argv[4]).path)
    print(json.dumps({"ready": True, "opened": opened}), flush=True)
    time.sleep(600)
""")


# the practice store's own password: a real one is refused for it (issue 18)
TRAINER_PASSWORD = "peixun2026"


def make_township(data: Path) -> StorePaths:
    """A township store (fast KDF); its recovery code is kept beside the data dir in `recovery.txt`."""
    paths = store_paths(data)
    made = setup.create_store(paths, setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD,
                                                        parent_code="C01", office_abbr="青石", kdf_profile="fast"))
    (data.parent / "recovery.txt").write_text(made.recovery_code)
    return paths


class Holder:
    """The child process; `kill()` is SIGKILL, as a crash or a forced end would be."""

    def __init__(self, data: Path, *, practice: bool = False, document_id: str | None = None, password: str = PASSWORD):
        args = [sys.executable, "-c", HOLDER, str(data), password, "practice" if practice else "real"]
        if document_id:
            args.append(document_id)
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the holder did not start: {self.proc.stderr.read()}")
        import json

        self.ready = json.loads(line)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()


def cli(data: Path, *args: str, password: str = PASSWORD, new_password: str | None = None) -> subprocess.CompletedProcess:
    """`jiantong ARGS` as its own process, as a second window or a script would run it."""
    env = {**os.environ, "JIANTONG_PASSWORD": password}
    if new_password:
        env["JIANTONG_NEW_PASSWORD"] = new_password
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def paired_township_with_clue(tmp: Path, person: dict):
    """County C01 and township T001, paired (their bundles go both ways); the township holds one clue
    about `person` (name, unit, …) — a chain whose bundles the bundle tests forge."""
    chain = make_chain(tmp, run_cli)
    clue = tmp / "clue.json"
    clue.write_text(json.dumps({"received_on": "2026-03-02", "source": "信访举报（来信）", "persons": [person],
                                "summary": f"反映{person['name']}虚报冒领惠农补贴"}, ensure_ascii=False), encoding="utf-8")
    ok(run_cli("--data-dir", chain.township, "clue", "add", "--file", clue, "--json"))
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    return chain
