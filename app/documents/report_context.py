"""What a report template may print: the render context of one period report, and its schema.

Report templates are a kind of their own, apart from the case documents: their manifest entry has
stage "report" (REPORT_STAGE), they are linted and rendered against SCHEMA here instead of the
case schema of app/documents/context.py, and no workflow step makes them. Every value is text
(numbers as the statistics count them, dates written 2026年3月2日) except the flag `rollup_shown`
and the lists, and every key is always present, as with case contexts.
"""

from __future__ import annotations

from datetime import date

from app.documents.context import FLAG, TEXT, clean, cn_date
from app.domain import statistics as stats

REPORT_STAGE = "report"
PERIOD_REPORT = "period_report"

INDICATOR_ROW = {k: TEXT for k in ("label", "value", "note")}
OFFICE_ROW = {k: TEXT for k in ("name", "clues_received", "verifications", "filings", "filings_self", "cases_closed",
                                "people_sanctioned")}
ROLLUP = {k: TEXT for k in ("townships_total", "townships_with_verification", "townships_with_filing",
                            "townships_with_filing_pct", "zero_filing_townships")}
NOTE = {"text": TEXT}
SCHEMA: dict = {
    "office": {"name": TEXT},
    "period": {k: TEXT for k in ("label", "from", "to")},
    "scope": TEXT,
    "indicators": [INDICATOR_ROW],
    "rollup_shown": FLAG,
    "rollup": ROLLUP,
    "offices": [OFFICE_ROW],
    "notes": [NOTE],
    "today": TEXT,
}


def is_report(stage: str) -> bool:
    return stage == REPORT_STAGE


def schema_for(stage: str, case_schema: dict) -> dict:
    """The schema a template of this manifest stage is checked and rendered against."""
    return SCHEMA if is_report(stage) else case_schema


def _indicator_rows(ind: dict) -> list[dict]:
    forms = [int(ind.get(f"form{i}", 0)) for i in range(1, 5)]
    total = sum(forms)
    rows = []
    for key, label in stats.INDICATORS:
        value = ind.get(key, 0)
        note = ""
        if key.startswith("form") and key[4:].isdigit():
            share = forms[int(key[4:]) - 1] * 1000 // total if total else 0
            note = f"占四种形态总人次{share // 10}.{share % 10}%" if total else "本期四种形态为0"
        rows.append({"label": label, "value": str(value), "note": note})
        if key == "form4":
            rows.append({"label": "四种形态合计（人次）", "value": str(total), "note": ""})
    for key, label in stats.RATIOS:
        part, whole = stats.RATIO_PARTS[key]
        value = ind.get(key)
        rows.append({"label": label, "value": "—" if value is None else f"{value}%",
                     "note": f"{stats.INDICATOR_LABELS[part]}÷{stats.INDICATOR_LABELS[whole]}"})
    return rows


def _office_row(name: str, ind: dict) -> dict:
    # a person with both a 党纪 and a 政务处分 is one person; snapshots from before the indicator lack it
    sanctioned = ind.get("people_sanctioned",
                         int(ind.get("people_sanctioned_party", 0)) + int(ind.get("people_sanctioned_gov", 0)))
    return {"name": clean(name), **{k: str(ind.get(k, 0)) for k in OFFICE_ROW if k not in ("name", "people_sanctioned")},
            "people_sanctioned": str(sanctioned)}


def build(report: dict, *, today: date) -> dict:
    """The context of the period report `report` (app/services/statistics.report), SCHEMA exactly."""
    office, period = report["office"], report["period"]
    names = {o["code"]: o["name"] for o in report["offices"]}
    rollup = report.get("rollup")
    subject = rollup if rollup is not None else report["indicators"]
    if rollup is not None:
        zero = "、".join(clean(names.get(c, c)) for c in rollup["zero_filing_townships"]) or "无"
        rollup_text = {k: str(rollup[k]) for k in ROLLUP if k != "zero_filing_townships"}
        rollup_text["zero_filing_townships"] = zero
    else:
        rollup_text = {k: "" for k in ROLLUP}
    offices = []
    if rollup is not None:
        offices.append(_office_row(office["name"] + "（本级）", report["indicators"]))
        offices += [_office_row(o["name"], o.get("indicators") or {}) for o in report["offices"]]
    return {
        "office": {"name": clean(office["name"])},
        "period": {"label": clean(period["label"]), "from": cn_date(period["from"]), "to": cn_date(period["to"])},
        "scope": "各乡镇合计" if rollup is not None else "本级",
        "indicators": _indicator_rows(subject),
        "rollup_shown": rollup is not None,
        "rollup": rollup_text,
        "offices": offices,
        "notes": [{"text": clean(w)} for w in report.get("warnings", [])],
        "today": cn_date(today),
    }
