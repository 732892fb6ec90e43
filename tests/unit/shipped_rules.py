"""The shipped rules, sanction catalog and holiday calendar, parsed once for the engine tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

from app.domain.calendar import WorkCalendar, parse_holiday_year
from app.domain.rules import parse_workflow
from app.domain.sanctions import parse_sanctions

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text("utf-8")), "sanctions.toml")
CAL = WorkCalendar(
    {
        int(p.stem): parse_holiday_year(tomllib.loads(p.read_text("utf-8")), p.name, expected_year=int(p.stem))
        for p in (ROOT / "resources/holidays").glob("*.toml")
    }
)
