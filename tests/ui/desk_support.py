"""A township store with realistic cases for the desk screens, made once per test session through the
real services (`demo_data` routes plus a few hand-made situations the desk must show), and copied
for each test."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from ui_support import ADMIN, OFFICE_NAME, PASSWORD

from app.paths import StorePaths, store_paths
from app.services import cases, demo_data, ruleset, setup, unlock

STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"
# decision tokens as in demo_data.ROUTES; "+type" records a sanction first
TO_COUNTY_REVIEW = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_warning",
                    "submit_county_review")
TO_EXECUTION = TO_COUNTY_REVIEW + ("to_branch", "to_township_approval", "approve", "to_execution")
TO_FORM1 = ("accept", "to_prelim", "remind")
TO_REVIEW = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept")


def walk(store, rules, writer, received: date, tokens: tuple[str, ...], clue: dict | None = None, today: date | None = None) -> str:
    """Register a clue received on `received` and take `tokens` one day apart, meeting every gate."""
    today = today or date.today()
    data = clue or writer.clue("filed_sanctioned", received)
    case_id = cases.register_clue(store, data, today=today, demo=True, rules=rules).case_id
    subject = data["persons"][0]["name"]
    on = received
    for token in tokens:
        if token.startswith("+"):
            cases.act(store, case_id, {"type": "record_sanction", "type_id": token[1:]}, today=today, rules=rules)
            continue
        on = min(on + timedelta(days=1), today)
        demo_data.prepare_step(store, rules, writer, case_id, "filed_sanctioned", on, subject, today)
        option = next(d for d in cases.show_case(store, case_id, today=today, rules=rules)["decisions"] if d["id"] == token)
        action = {"type": "decide", "decision_id": token, "decided_on": on.isoformat()}
        if option["approver_role"]:
            action["approver"] = writer.secretary
        cases.act(store, case_id, action, today=today, rules=rules)
    return case_id


def build(root: Path) -> StorePaths:
    """The store: demo routes of this year, plus a case waiting for the county, an effect period ending
    within 30 days, a 初核 with a 第一种形态 ahead, an assigned clue (上级交办) and a clue about to miss
    its disposition deadline; a staff account besides the administrator."""
    import random

    from app.services import accounts

    paths = store_paths(root)
    setup.create_store(paths, setup.SetupRequest("HX-01", OFFICE_NAME, "township", ADMIN, PASSWORD, parent_code="LX",
                                                 office_abbr="红星", kdf_profile="fast"))
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        today = date.today()
        demo_data.generate(store, {"year": today.year, "seed": 11, "routes": {
            "closed_directly": 2, "talk_inquiry_closed": 1, "shelved": 2, "verification_closed": 1,
            "verification_form1": 1, "filed_open": 1, "filed_sanctioned": 1}})
        rules = ruleset.load(store)
        writer = demo_data.Writer(random.Random(5), today.year, today, "红星")
        walk(store, rules, writer, today - timedelta(days=20), TO_COUNTY_REVIEW)
        walk(store, rules, writer, today - timedelta(days=350), TO_EXECUTION)  # 警告: effect ends in about 2 weeks
        walk(store, rules, writer, today - timedelta(days=6), TO_FORM1)
        assigned = writer.clue("filed_open", today - timedelta(days=2))
        assigned["source"] = "上级交办"
        walk(store, rules, writer, today - timedelta(days=2), (), clue=assigned)
        walk(store, rules, writer, today - timedelta(days=27), ("accept",))
        # a 支书 and a 会计 filed together, now in 审理: a tab for each beside the step
        walk(store, rules, writer, today - timedelta(days=12), TO_REVIEW, clue=writer.clue("filed_two_persons", today - timedelta(days=12)))
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
    finally:
        store.close()
    return paths


def copy_store(template: StorePaths, target: Path) -> StorePaths:
    shutil.copytree(template.root, target)
    return store_paths(target)
