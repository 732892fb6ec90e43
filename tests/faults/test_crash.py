"""SIGKILL at 50 seeded points during commits, an export and an import (issue #9).

After every kill the store unlocks and verifies (cipher pages, audit chain), everything the child
reported committed is there, and a file under a bundle's final name is a whole, valid bundle;
a killed import re-run completes once, without duplicates.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.faults import support

SEED = 20260309
KILLS = {"commits": 20, "export": 15, "import": 15}
COMMITS = 8

pytestmark = pytest.mark.slow


def kill_times(op: str, runs: list, late_phase: str | None = None) -> list[float]:
    """Seeded points over the shorter of two unkilled runs, measured two at a time as the killed ones run.

    With `late_phase` (a progress label), half the points fall between that stage's start and the end:
    the stage that writes the file or the store is short beside unlocking, reading and packing.
    """
    seconds = min(r.seconds for r in runs)
    rng = random.Random(f"{SEED}-{op}")
    count = KILLS[op]
    if late_phase is None:
        return sorted(rng.uniform(0, seconds) for _ in range(count))
    late = sum(phase_start(r, late_phase) for r in runs) / len(runs)
    return sorted([rng.uniform(0, seconds) for _ in range(count - count // 2)]
                  + [rng.uniform(late, seconds) for _ in range(count // 2)])


def phase_start(run, label: str) -> float:
    return next(float(w[0]) for w in words(run.lines, "phase") if w[1] == label)


def words(lines: list[str], first: str) -> list[list[str]]:
    return [line.split()[1:] for line in lines if line.split()[:1] == [first]]


def kill_at_points(worker, op: str, measured: list, kill, late_phase: str | None = None) -> None:
    """`kill` (n, seconds) at the seeded points of `kill_times`. The points are spread over measured
    runs; when the machine got quieter and most runs ended before their point (then checked as
    finished ones), those points are run once more, scaled to the quickest run seen, so the kills
    still land in the work: a suite whose points mostly miss the work would prove little."""
    points = kill_times(op, measured, late_phase)
    runs = worker.each(points, kill)
    finished = [r.seconds for r in runs if not r.killed]
    if sum(r.killed for r in runs) < len(runs) / 3:
        scale = min(finished) / min(r.seconds for r in measured)
        again = [at * scale for at, r in zip(points, runs, strict=True) if not r.killed]
        runs = [r for r in runs if r.killed] + worker.each(again, lambda n, at: kill(len(points) + n, at))
    assert sum(r.killed for r in runs) >= len(runs) / 3, [(r.killed, round(r.seconds, 3)) for r in runs]


def test_kill_during_a_series_of_commits(templates, worker, tmp_path):
    base = support.check_store(templates.township)["case_ids"]

    def request(name: str) -> dict:
        data = support.copy_store(templates.township, tmp_path / name)
        return {"op": "commits", "data": str(data), "count": COMMITS, "log": str(tmp_path / f"{name}.log")}

    def run(name: str, kill_after: float | None):
        r = request(name)
        return Path(r["data"]), worker.run(r, kill_after)

    def measure(n: int, _):
        data, full = run(f"measure{n}", None)
        assert full.exit_code == 0, full.lines
        assert len(support.check_store(data)["case_ids"] - base) == COMMITS
        return full

    worker.warm(request)
    measured = worker.each([None] * 2, measure)

    def kill(n: int, at: float):
        data, result = run(f"kill{n}", at)
        committed = {w[0] for w in words(result.lines, "committed")}
        after = support.check_store(data)
        new = after["case_ids"] - base
        assert committed <= new, f"kill {n} at {at:.3f}s lost a reported commit"
        assert len(new) <= len(committed) + 1  # only the transaction whose line was not yet written
        numbers = Counter(after["clue_numbers"])
        assert max(numbers.values()) == 1, "a clue number was given twice"
        shutil.rmtree(data)
        return result

    kill_at_points(worker, "commits", measured, kill)


def test_kill_during_export(templates, worker, tmp_path):
    def request(name: str, data: Path | None = None) -> dict:
        data = data or support.copy_store(templates.township, tmp_path / name)
        stick = tmp_path / f"{name}-stick"
        stick.mkdir(exist_ok=True)
        return {"op": "export", "data": str(data), "out": str(stick), "log": str(tmp_path / f"{name}.log")}

    def run(name: str, kill_after: float | None, data: Path | None = None):
        r = request(name, data)
        return Path(r["data"]), Path(r["out"]), worker.run(r, kill_after)

    def measure(n: int, _):
        _, stick, full = run(f"measure{n}", None)
        assert full.exit_code == 0, full.lines
        assert support.file_names(stick) == {"T001_C01_2.jab"}
        return full

    worker.warm(request)
    measured = worker.each([None] * 2, measure)
    sent_before = {b for d, b in support.check_store(templates.township)["bundles"] if d == "out"}

    def kill(n: int, at: float):
        data, stick, result = run(f"kill{n}", at)
        outgoing = {b for d, b in support.check_store(data)["bundles"] if d == "out"} - sent_before
        finals = support.file_names(stick)
        for name in finals:
            m = support.check_bundle(stick / name, templates.township_sign)  # raises on a partial file
            assert m["bundle_id"] in outgoing, "a bundle on the stick that the store does not know it sent"
            county = support.copy_store(templates.county, tmp_path / f"county{n}")
            taken = worker.run({"op": "import", "data": str(county), "file": str(stick / name),
                                "log": str(tmp_path / f"county{n}.log")})
            assert taken.exit_code == 0 and words(taken.lines, "imported"), taken.lines
            shutil.rmtree(county)
        if words(result.lines, "exported"):
            assert finals == {"T001_C01_2.jab"}
        assert len(outgoing) <= 1
        if outgoing and not finals:
            # killed between recording the export and naming the file: the recipient will report a gap
            assert support.leftovers(stick) == [".T001_C01_2.jab.part"]
        # a restart: exporting again works and leaves no temporary file behind
        _, _, again = run(f"kill{n}", None, data)
        assert again.exit_code == 0, again.lines
        assert not [x for x in support.leftovers(stick) if x.startswith(".")], support.leftovers(stick)
        shutil.rmtree(data)
        return result

    kill_at_points(worker, "export", measured, kill, "正在打包并写入U盘……")


def test_kill_during_import_then_import_again(templates, worker, tmp_path):
    def request(name: str, data: Path | None = None) -> dict:
        data = data or support.copy_store(templates.county, tmp_path / name)
        return {"op": "import", "data": str(data), "file": str(templates.bundle), "log": str(tmp_path / f"{name}.log")}

    def run(name: str, kill_after: float | None, data: Path | None = None):
        r = request(name, data)
        return Path(r["data"]), worker.run(r, kill_after)

    def measure(n: int, _):
        data, full = run(f"measure{n}", None)
        assert full.exit_code == 0, full.lines
        return full, support.check_store(data)

    worker.warm(request)
    results = worker.each([None] * 2, measure)
    measured, expected = [r for r, _ in results], results[0][1]
    assert len(expected["case_ids"]) == templates.cases
    assert all(r[1]["case_ids"] == expected["case_ids"] for r in results)

    def kill(n: int, at: float):
        data, result = run(f"kill{n}", at)
        after = support.check_store(data)
        incoming = [b for d, b in after["bundles"] if d == "in"]
        if words(result.lines, "imported"):
            assert incoming
        # all or nothing: either the whole bundle was taken in its one transaction, or none of it
        if incoming:
            assert len(incoming) == 1
            assert (after["case_ids"], after["attachments"]) == (expected["case_ids"], expected["attachments"])
        else:
            assert (after["case_ids"], after["attachments"]) == (set(), 0)
        _, again = run(f"kill{n}", None, data)
        if incoming:
            assert again.exit_code == 2 and words(again.lines, "refused") == [["replay", "0"]], again.lines
        else:
            assert again.exit_code == 0, again.lines
        final = support.check_store(data)
        assert final["case_ids"] == expected["case_ids"]
        assert final["attachments"] == expected["attachments"]
        assert sorted(final["clue_numbers"]) == sorted(expected["clue_numbers"])
        assert len([b for d, b in final["bundles"] if d == "in"]) == 1
        shutil.rmtree(data)
        return result

    kill_at_points(worker, "import", measured, kill, "正在写入数据库……")
