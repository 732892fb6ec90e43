"""Every bound on what another office may send, in one place (issue 17, docs/BUNDLE.md §7b "Bounds").

A signature says who sent a bundle, not that its content is sane. Each bound below is far above
what any office sends and low enough that checking, holding and applying what it allows stays
within the memory and time of an office PC: entries are streamed, so the byte bounds limit disk
and time, not memory. A superior's rules and holiday tables drive every deadline computed here, so
values far outside anything the regulations use (a 10⁷-working-day deadline, every day to 9999 a
holiday) would make each later computation run without end; they are refused on arrival instead.
The length of each kind of text (name 50, number 64, one line 200, long text 20,000 characters)
is app/domain/text_hygiene.py's, the same as for what is typed here.
"""

from __future__ import annotations

from datetime import date

KIB, MIB, GIB = 1024, 1024 ** 2, 1024 ** 3

# the container (app/sync/container.py)
MAX_MANIFEST = 1 * MIB  # the signed manifest; a real one is a few KB
# the payload archive (app/sync/archive.py)
MAX_ENTRIES = 100_000  # entries in the archive: one per file, table, template, holiday year
MAX_TOTAL_BYTES = 8 * GIB  # all entries together, uncompressed
MAX_ENTRY_BYTES = 2 * GIB  # one records/*.jsonl entry, uncompressed (read as a stream)
MAX_FILE_BYTES = 64 * MIB  # one files/* entry: an attachment (at most 50 MB here) or a document
MAX_RULES_BYTES = 1 * MIB  # a rules text; the shipped ones are a few dozen KB
MAX_JSON_BYTES = 32 * MIB  # a *.json entry, read whole: index (100,000 entries ≈ 12 MB), receipts, templates
MAX_RATIO = 200  # uncompressed / compressed, for entries above RATIO_FLOOR bytes (zip bombs)
RATIO_FLOOR = 1 * MIB
MAX_LINE_BYTES = 64 * MIB  # one record: a case state with its whole history stays far below
# the records (app/sync/records.py)
MAX_RECORDS = 5_000_000  # per bundle, audit events included; a township's tenth year is under 1,000,000
MAX_OFFICES = 10_000  # office records per bundle: a province's registry of counties and townships
MAX_TEXT = 1 * MIB  # a text column without a declared length (case states are JSON columns)
MAX_INTEGER = 2 ** 62  # |n|: sequence numbers, versions, counts
MIN_YEAR, MAX_YEAR = 1900, 2199  # dates and times in records and in case states
# rules and holiday tables from above
# per deadline unit: the regulations' longest is 6 months (+3 extension); these leave ample room
MAX_DEADLINE_LENGTH = {"wd": 1000, "days": 1500, "months": 60}
MAX_EXTENSIONS = 10  # times one deadline may be extended
HOLIDAY_YEARS_BACK = 30  # holiday tables for years before today's minus this are refused
HOLIDAY_YEARS_AHEAD = 10  # … and for years after today's plus this
MAX_HOLIDAYS_PER_YEAR = 60  # the State Council's lists have about 30 days off a year
MAX_WORKDAYS_PER_YEAR = 20  # make-up working days (调休上班), about 6 a year


def length_problem(what: str, length: int, unit: str) -> str | None:
    limit = MAX_DEADLINE_LENGTH.get(unit)
    if limit is None:
        return f"{what}的期限单位“{unit}”不受支持"
    if not 0 < length <= limit:
        return f"{what}的期限长度{length}超出允许范围（1—{limit}）"
    return None


def workflow_problem(wf) -> str | None:
    """Why a workflow's deadlines are out of bounds, or None."""
    for d in wf.deadlines:
        what = f"期限“{d.title or d.id}”"
        problem = length_problem(what, d.length, d.unit)
        if problem:
            return problem
        if d.extension is not None:
            problem = length_problem(f"{what}的延长", d.extension.length, d.extension.unit)
            if problem:
                return problem
            if not 0 <= d.extension.max_count <= MAX_EXTENSIONS:
                return f"{what}的可延长次数{d.extension.max_count}超出允许范围（0—{MAX_EXTENSIONS}）"
    return None


def holiday_problem(year: int, table: dict, today: date) -> str | None:
    """Why a (well-formed) holiday table is out of bounds, or None."""
    if not today.year - HOLIDAY_YEARS_BACK <= year <= today.year + HOLIDAY_YEARS_AHEAD:
        return (f"{year}年节假日表的年份超出允许范围（{today.year - HOLIDAY_YEARS_BACK}—"
                f"{today.year + HOLIDAY_YEARS_AHEAD}年）")
    if len(table.get("holidays", {})) > MAX_HOLIDAYS_PER_YEAR:
        return f"{year}年节假日表列出的放假日过多（{len(table['holidays'])}天，上限{MAX_HOLIDAYS_PER_YEAR}天）"
    if len(table.get("workdays", [])) > MAX_WORKDAYS_PER_YEAR:
        return f"{year}年节假日表列出的调休上班日过多（{len(table['workdays'])}天，上限{MAX_WORKDAYS_PER_YEAR}天）"
    return None
