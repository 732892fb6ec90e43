"""`apply`: many clue registrations and case actions in one process, from JSON Lines.

A line is either `{"ref": "c1", "clue": {...}}` (register a clue; later lines name the case by
its ref) or `{"case": "c1" | "<case id>", "type": "...", ...}` (one action, as in `case act`).
Each line is its own transaction; the run stops at the first line that fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from app.domain.errors import DomainError
from app.errors import AppError
from app.services import cases, ruleset, split_merge
from app.storage.store import Store


@dataclass(frozen=True)
class BatchReport:
    applied: int
    refs: dict = field(default_factory=dict)
    failed: dict | None = None


def apply_lines(store: Store, lines: list[str], *, today: date | None = None) -> BatchReport:
    rules = ruleset.load(store)
    refs: dict[str, str] = {}
    applied = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            apply_line(store, rules, raw, refs, today)
        except (AppError, DomainError) as exc:
            failure = {"line": number, "code": exc.code, "message": exc.message}
            if "problems" in exc.detail:
                failure["problems"] = exc.detail["problems"]
            return BatchReport(applied, refs, failure)
        applied += 1
    return BatchReport(applied, refs)


def apply_line(store: Store, rules: ruleset.RuleSet, raw: str, refs: dict[str, str], today: date | None) -> None:
    try:
        line = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise cases.InputError("bad_json", f"不是有效的 JSON：{exc.msg}") from exc
    except RecursionError as exc:  # "[[[[…" nested deeper than the parser goes
        raise cases.InputError("bad_json", "不是有效的 JSON：嵌套层数过多。") from exc
    if not isinstance(line, dict):
        raise cases.InputError("bad_line", "每行应为一个 JSON 对象。")
    if "clue" in line:
        result = cases.register_clue(store, line["clue"], today=today, rules=rules)
        if line.get("ref"):
            refs[str(line["ref"])] = result.case_id
        return
    if "case" not in line:
        raise cases.InputError("bad_line", "每行须有 clue（登记线索）或 case（办理操作）。")
    action = {k: v for k, v in line.items() if k != "case"}
    case_id = refs.get(str(line["case"]), str(line["case"]))
    if isinstance(action.get("type"), str) and action["type"] in split_merge.ACTIONS:
        split_merge.run(store, case_id, action, today=today, rules=rules)
    else:
        cases.act(store, case_id, action, today=today, rules=rules)
