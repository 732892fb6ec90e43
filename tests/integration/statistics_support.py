"""Helpers for the statistics tests: real stores, cases walked through the real services on chosen
dates, and `copy_records`, which puts into a county's (or city's) store the rows a full bundle
import from a township (or county) inserts: the synced rows the sender owns, same ids and versions,
parents before children, the session marked as importing (versions kept). Unlike a real export it
also copies demo cases (so tests can build a county from demo townships); like it, it leaves the
reporter table behind. test_statistics_bundles.py goes through real bundles.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from sqlmodel import SQLModel, select

from app.models import SYNCED_TABLES
from app.paths import store_paths
from app.services import cases, demo_data, ruleset, setup, unlock
from app.storage.store import Store

MODELS = {m.class_.__tablename__: m.class_ for m in SQLModel._sa_registry.mappers
          if getattr(m.class_, "__tablename__", None) in SYNCED_TABLES}
PASSWORD = "qingshi2026"
TODAY = date(2026, 11, 2)

PERSON = {"name": "王建国", "unit": "青石村民委员会", "post": "村委会主任", "category": "村干部", "political_status": "中共党员"}
FILED = ("accept", "to_prelim", "propose_filing", "file")
DECIDED_WARNING = ("transfer_review", "accept", "+party_warning", "submit_county_review", "to_branch",
                   "to_township_approval", "approve")


def make_store(root: Path, code: str, name: str, level: str, parent: str | None) -> Store:
    paths = store_paths(root)
    setup.create_store(paths, setup.SetupRequest(code, name, level, "张书记", PASSWORD, parent_code=parent,
                                                 office_abbr=name[:2], kdf_profile="fast"))
    return unlock.unlock(paths, None, PASSWORD).store


class Walker:
    """Registers clues and takes decisions on given dates, doing what each step asks first."""

    def __init__(self, store: Store, today: date = TODAY):
        self.store = store
        self.today = today
        self.rules = ruleset.load(store)
        with store.read() as s:
            prefix = cases.office_prefix(s, store)
        self.writer = demo_data.Writer(random.Random(5), today.year, today, prefix)

    def clue(self, received: date, *, source: str = "信访举报（来信）", person: dict | None = None,
             categories: tuple[str, ...] = ("违反群众纪律",)) -> str:
        data = {"received_on": received.isoformat(), "source": source, "persons": [person or PERSON],
                "summary": "反映问题", "categories": list(categories)}
        return cases.register_clue(self.store, data, today=self.today, rules=self.rules).case_id

    def walk(self, case_id: str, *steps: tuple[str, date] | str) -> str:
        """Steps: (decision, date), "+type" to record a sanction, "-type" to withdraw one."""
        for step in steps:
            if isinstance(step, str):
                action = {"type": "record_sanction", "type_id": step[1:], "remove": step[0] == "-"}
                cases.act(self.store, case_id, action, today=self.today, rules=self.rules)
                continue
            decision, on = step
            demo_data.prepare_step(self.store, self.rules, self.writer, case_id, "filed_sanctioned", on, PERSON["name"],
                                   self.today)
            shown = cases.show_case(self.store, case_id, today=self.today, rules=self.rules)
            option = next(d for d in shown["decisions"] if d["id"] == decision)
            action = {"type": "decide", "decision_id": decision, "decided_on": on.isoformat()}
            if option["approver_role"]:  # 立案 is the 乡镇党委书记's ([R] 第三十八条)
                action["approver"] = "刘党委书记" if option["approver_role"] == "乡镇党委书记" else "张书记"
            cases.act(self.store, case_id, action, today=self.today, rules=self.rules)
        return case_id

    def dated(self, tokens: tuple[str, ...], first: date, step_days: int = 1) -> list:
        """Tokens on consecutive dates from `first` (sanction tokens take no day)."""
        out, on = [], first
        for token in tokens:
            if token[0] in "+-":
                out.append(token)
            else:
                out.append((token, on))
                on = date.fromordinal(on.toordinal() + step_days)
        return out


def copy_records(source: Store, target: Store,
                 tables: tuple[str, ...] = tuple(t for t in SYNCED_TABLES if t != "reporter")) -> int:
    """Insert into `target` the synced rows of `tables` that `source` owns, as a full bundle import
    would. A county forwards only ("office", "statistics_snapshot") to the city."""
    owner = source.office.id
    rows: dict[str, list[dict]] = {}
    with source.read() as s:
        for table in tables:
            model = MODELS[table]
            rows[table] = [r.model_dump() for r in s.exec(select(model).where(model.owner_office_id == owner)).all()]
    count = 0
    with target.write() as t:
        t.info["importing"] = True
        for table in [x for x in SYNCED_TABLES if x in rows]:  # parents first: the list is in dependency order
            model = MODELS[table]
            for values in rows[table]:
                t.merge(model(**values))
                count += 1
            t.flush()
        t.info["importing"] = False
    return count
