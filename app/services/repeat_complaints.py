"""重复检举控告: a complaint about a problem already registered, with no new facts.

《纪检监察机关处理检举控告工作规则》第十四条第一款: 对于重复检举控告，按规定登记后留存备查 — so it is
registered like any clue and linked to the earlier one(s); 第二十六条: 重复检举控告的，不再告知. The flag
and the links are fields of the rules' initial step (`repeat_complaint`, `repeat_of`, the earlier
clues' numbers); the rules exempt a flagged clue from the reporter deadlines. This module checks
that the links name earlier clues of this office and resolves them both ways for the case view.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, literal_column
from sqlmodel import Session, select

from app.errors import InputError
from app.models import Case, Clue
from app.storage.store import Store

FLAG = "repeat_complaint"
STEP_ID = re.compile(r"[a-z][a-z0-9_]*")
LINKS = "repeat_of"


def checked(s: Session, store: Store, flag: object, links: object, received: date, own_number: str = "") -> dict:
    """The flag and links as intake values ({} when neither is given); InputError saying what is wrong."""
    if links in (None, "", []):
        links = []
    elif isinstance(links, str):
        links = [links]
    elif isinstance(links, tuple):
        links = list(links)
    if not isinstance(links, list) or not all(isinstance(n, str) for n in links):
        raise InputError("repeat_links_invalid", "原线索编号（repeat_of）应为线索编号的列表，如 [\"青石纪线〔2026〕3号\"]。")
    numbers = list(dict.fromkeys(n.strip() for n in links if n.strip()))
    if flag is None:
        flag = bool(numbers) or None
    if flag is not None and not isinstance(flag, bool):
        raise InputError("repeat_links_invalid", "是否重复检举控告（repeat_complaint）应为 true 或 false。")
    if flag and not numbers:
        raise InputError("repeat_links_missing", "重复检举控告须填写原线索编号：登记后与原线索关联、留存备查"
                                                 "（《纪检监察机关处理检举控告工作规则》第十四条第一款）。")
    if numbers and not flag:
        raise InputError("repeat_links_invalid", "只有重复检举控告才填写原线索编号；不是重复件的，请清空原线索编号。")
    for number in numbers:
        if number == own_number:
            raise InputError("repeat_link_unknown", f"原线索编号“{number}”是本线索自己的编号。")
        clue = s.exec(select(Clue).where(Clue.number == number, Clue.owner_office_id == store.office.id,
                                         Clue.deleted == False)).first()  # noqa: E712
        if clue is None:
            raise InputError("repeat_link_unknown", f"本单位没有登记过编号为“{number}”的线索，请核对原线索编号。")
        if clue.received_on > received:
            raise InputError("repeat_link_unknown", f"线索“{number}”收件于{clue.received_on.isoformat()}，"
                                                    f"晚于本件，不能作为本件的原线索。")
    if flag is None:
        return {}
    return {FLAG: flag, LINKS: numbers} if numbers else {FLAG: flag}


def links_of(s: Session, numbers: list[str] | tuple[str, ...], owner_office_id: str) -> list[dict]:
    """The earlier clues a repeat complaint names, as the case view shows them."""
    out = []
    for number in numbers:
        row = s.exec(select(Clue, Case).join(Case, Case.clue_id == Clue.id)
                     .where(Clue.number == number, Clue.owner_office_id == owner_office_id)).first()
        if row is None:  # a number the clue's office no longer has: shown, not resolved
            out.append({"clue_number": number, "case_id": None, "received_on": None})
            continue
        clue, case = row
        out.append({"clue_number": number, "case_id": case.id, "received_on": clue.received_on.isoformat()})
    return out


def repeated_by(s: Session, clue: Clue, initial_step: str) -> list[dict]:
    """The later repeat complaints that name this clue."""
    key = f"{initial_step}.{LINKS}"
    path = f'$.fields."{initial_step}.{FLAG}"'
    # the path written into the SQL, as migration 0006's index ix_case_repeat_flag has it (a bound
    # parameter would make SQLite read every case's state); step ids are [a-z0-9_] (app/domain/rules.py)
    flagged = literal_column(f"json_extract(\"case\".state, '{path}')") if STEP_ID.fullmatch(initial_step) \
        else func.json_extract(Case.state, path)
    # the flagged cases alone first: joined with clue, the planner would walk the office's clues instead
    naming = [c for c in s.exec(select(Case).where(flagged == 1, Case.deleted == False)).all()  # noqa: E712
              if clue.number in ((c.state.get("fields") or {}).get(key) or [])]
    out = []
    for case in naming:
        later = s.get(Clue, case.clue_id)
        if later is None or later.id == clue.id or later.owner_office_id != clue.owner_office_id:
            continue
        out.append({"clue_number": later.number, "case_id": case.id, "received_on": later.received_on.isoformat()})
    return sorted(out, key=lambda r: (r["received_on"], r["clue_number"]))
