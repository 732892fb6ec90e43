"""Fixtures for tests on real stores: the CLI run in-process or as a child process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import cli

PASSWORD = "qingshi2026"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def run_cli_captured(*args, password: str = PASSWORD) -> Result:
    """`jiantong ARGS` in this process, output captured without capsys: for set-ups that session
    fixtures share (the `run_cli` fixture below is per test)."""
    os.environ["JIANTONG_PASSWORD"] = password
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.run([str(a) for a in args])
    finally:
        os.environ.pop("JIANTONG_PASSWORD", None)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `jiantong ARGS` in this process with the given environment additions."""

    def run(*args: str, password: str | None = PASSWORD, new_password: str | None = None) -> Result:
        for name, value in (("JIANTONG_PASSWORD", password), ("JIANTONG_NEW_PASSWORD", new_password)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = cli.run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def child_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.update(extra)
    return env


def run_child(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, **kwargs)


@pytest.fixture
def township(tmp_path, run_cli) -> Path:
    """A township store with the fast KDF profile; returns its data dir."""
    data = tmp_path / "data"
    result = run_cli("--data-dir", data, "init", "--office-code", "T001", "--office-name", "青石镇纪委",
                     "--level", "township", "--parent-code", "C01", "--account", "张书记", "--kdf", "fast", "--json")
    assert result.code == 0, result.err
    data.joinpath("recovery.txt").write_text(result.json["recovery_code"])
    return data
