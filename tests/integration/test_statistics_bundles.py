"""Statistics through real bundles: townships → county (records), counties → city (snapshots only).

Set-up packages, fingerprints confirmed, `export`/`import` over a folder standing for the USB
stick, `report` and `snapshot`, all through the CLI; the townships' cases are walked through the
services (demo data never travels upward, so these are real cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from app.models import Case, Clue
from app.paths import store_paths
from app.services import unlock
from tests.integration.conftest import PASSWORD
from tests.integration.statistics_support import DECIDED_WARNING, FILED, Walker
from tests.integration.test_sync_roundtrip import init_with_package, ok, pair

YEAR = 2026
D = date
# (decisions from the day after receipt) per township; demo data never travels upward, so real cases
CASES = {
    "T001": [FILED, FILED, FILED + DECIDED_WARNING, ("accept", "to_prelim", "close"), ("accept", "to_close")],
    "T002": [("accept", "to_talk", "accept_closed"), ("accept", "to_shelve"), ("accept", "to_prelim")],
    "T201": [FILED],
}


def fill(data: Path, cases: list[tuple[str, ...]]) -> None:
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        w = Walker(store)
        for i, tokens in enumerate(cases):
            received = D(YEAR, 3, 2) + timedelta(days=30 * i)
            case_id = w.clue(received, person={"name": f"被反映人{i}", "unit": "某村民委员会"})
            w.walk(case_id, *w.dated(tokens, received + timedelta(days=1)))
    finally:
        store.close()


def report(run_cli, data: Path, *period: str) -> dict:
    return ok(run_cli("--data-dir", data, "report", "--year", YEAR, *period, "--json"))


@dataclass
class Stick:
    stick: Path


def build_region(run_cli, tmp: Path) -> tuple[dict[str, Path], Stick]:
    """City S01; counties C01 (T001, T002) and C02 (T201); each township's records imported by its county."""
    chain = Stick(tmp / "stick")
    chain.stick.mkdir()
    dirs = {code: tmp / code for code in ("S01", "C01", "C02", "T001", "T002", "T201")}
    ok(run_cli("--data-dir", dirs["S01"], "init", "--office-code", "S01", "--office-name", "江州市纪委", "--level", "city",
               "--account", "管理员", "--kdf", "fast", "--json"))
    for county, name in (("C01", "青山县纪委"), ("C02", "白水县纪委")):
        init_with_package(run_cli, dirs["S01"], dirs[county], county, name, "county", chain.stick)
    for township, name, county in (("T001", "青石镇纪委", "C01"), ("T002", "河口乡纪委", "C01"), ("T201", "三合镇纪委", "C02")):
        init_with_package(run_cli, dirs[county], dirs[township], township, name, "township", chain.stick)
        fill(dirs[township], CASES[township])
        pair(run_cli, chain, dirs[township], dirs[county], township, county)
    return dirs, chain


def test_townships_to_county_to_city(run_cli, tmp_path):
    dirs, chain = build_region(run_cli, tmp_path)
    county = report(run_cli, dirs["C01"])
    own = {code: report(run_cli, dirs[code])["indicators"] for code in ("T001", "T002")}
    rows = {o["code"]: o for o in county["offices"]}
    assert list(rows) == ["T001", "T002"]
    for code in ("T001", "T002"):
        # the county counts exactly what the township counts itself
        assert rows[code]["indicators"] == own[code], code
    assert own["T001"]["filings"] == 3 and own["T002"]["filings"] == 0
    r = county["rollup"]
    assert (r["townships_total"], r["townships_with_filing"], r["townships_with_filing_pct"]) == (2, 1, 50)
    assert "T002" in r["zero_filing_townships"]
    assert r["clues_received"] == len(CASES["T001"]) + len(CASES["T002"])
    assert (r["cases_closed"], r["people_sanctioned_party"], r["form1"], r["form2"]) == (1, 1, 1, 1)

    # the counties forward statistics only; the city reports both
    for code in ("C01", "C02"):
        ok(run_cli("--data-dir", dirs[code], "snapshot", "--year", YEAR, "--json"))
        pair(run_cli, chain, dirs[code], dirs["S01"], code, "S01")
    city = report(run_cli, dirs["S01"])
    counties = [o for o in city["offices"] if o["level"] == "county"]
    townships = [o for o in city["offices"] if o["level"] == "township"]
    assert [c["code"] for c in counties] == ["C01", "C02"]
    assert [(t["code"], t["parent_code"]) for t in townships] == [("T001", "C01"), ("T002", "C01"), ("T201", "C02")]
    county = report(run_cli, dirs["C01"])
    assert counties[0]["rollup"] == county["rollup"]
    assert counties[0]["indicators"] == county["indicators"]
    assert {t["code"]: t["indicators"] for t in townships if t["parent_code"] == "C01"} == {
        o["code"]: o["indicators"] for o in county["offices"]}
    assert counties[1]["rollup"]["townships_with_filing_pct"] == 100
    r = city["rollup"]
    assert (r["townships_total"], r["townships_with_filing"], r["zero_filing_townships"]) == (3, 2, ["T002"])
    quarter = report(run_cli, dirs["S01"], "--quarter", "2")
    assert [o["code"] for o in quarter["offices"] if o["level"] == "county"] == ["C01", "C02"]
    store = unlock.unlock(store_paths(dirs["S01"]), None, PASSWORD).store
    try:
        with store.read() as s:
            assert s.exec(select(Clue)).all() == [] and s.exec(select(Case)).all() == []
    finally:
        store.close()
