"""Dates as offices write them in their old 台账: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305,
and the serial numbers Excel and WPS keep when a cell is formatted as a number (days since 1899-12-30)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from app.domain.errors import DomainError

# Excel's day 0 is 1899-12-30 once its invented 1900-02-29 is accounted for; serials before 1900-03-01
# never occur in a ledger of this century, so that quirk needs no handling.
EXCEL_EPOCH = date(1899, 12, 30)
# 36526 = 2000-01-01, 73050 = 2099-12-31: a number outside is an amount or a count, not a date
SERIALS = range(36526, 73051)
_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


class LegacyDateError(DomainError):
    """A value that is not a date in any form the old ledgers use."""


def read_date(value: object) -> date:
    """The date a ledger cell holds; LegacyDateError saying what was found otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise LegacyDateError("bad_date", f"“{value}”不是日期")
    if isinstance(value, int | float):
        return from_serial(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return from_serial(float(text))
    match = _PATTERN.fullmatch(text) or _COMPACT.fullmatch(text)
    if match is None:
        raise LegacyDateError("bad_date", f"“{text}”不是可识别的日期（可写成 2026-03-05、2026/3/5、2026.3.5 或 2026年3月5日）")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise LegacyDateError("bad_date", f"“{text}”不是有效日期（{year}年没有{month}月{day}日）") from None


def from_serial(serial: float) -> date:
    if serial != int(serial) or int(serial) not in SERIALS:
        raise LegacyDateError("bad_date", f"“{serial:g}”不是日期（Excel 日期序号应在 36526 至 73050 之间）")
    return EXCEL_EPOCH + timedelta(days=int(serial))
