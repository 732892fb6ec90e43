"""An office's spreadsheet (.xlsx, .csv, .tsv) staged in memory for an import: its header found and
its rows in a `sqlite_utils.Database(memory=True)` table, never in a plaintext file on disk (a 台账
holds the names of reported persons).

- .xlsx (Excel, WPS) through openpyxl; merged cells take their value in every cell they cover, so
  a two-row header with merged group titles reads as one header per column.
- .csv and .tsv in UTF-8 (with or without BOM) or GB18030 (which GBK files are); the delimiter is
  detected by sqlite-utils' `rows_from_file`.
- The header row is the row among the first ones naming the most known fields (a title row above
  it is skipped); a second header row below it is taken when its cells are headers too.
- Blank rows and 合计/小计 rows are skipped and counted; rows longer than the header get columns
  of their own (`insert_all(..., alter=True)`), so nothing in the file is dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zipfile import BadZipFile, ZipFile

import sqlite_utils
from sqlite_utils.utils import Format, rows_from_file

from app.domain import ledger_headers as headers
from app.domain.ledger_headers import ImportField
from app.errors import InputError

SUFFIXES = (".xlsx", ".csv", ".tsv")
HEADER_SEARCH_ROWS = 20
MAX_BYTES = 200 * 1024 * 1024  # far above any office's ledger; a larger file is not a ledger
MERGED = re.compile(r'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
ROW_COLUMN = "_row"  # the row number in the file, as the user sees it in Excel/WPS
TABLE = "rows"

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


class ImportFileError(InputError):
    """The file cannot be imported as it is: missing, not a spreadsheet, unreadable, no header."""


class ImportCancelled(InputError):
    def __init__(self):
        super().__init__("import_cancelled", "已取消导入，数据库未作任何改动。")


class ImportRefused(InputError):
    """A commit refused because rows are invalid; `detail["invalid"]` lists them; nothing written."""


@dataclass
class StagedFile:
    file: str
    sheet: str
    header_row: int  # 1-based; the last header row where there are two
    headers: list[str]  # the column names of TABLE, in the file's order
    db: sqlite_utils.Database
    skipped: int  # blank and 合计 rows

    def rows(self) -> Iterator[dict]:
        return self.db[TABLE].rows_where(order_by=ROW_COLUMN) if self.db[TABLE].exists() else iter(())

    @property
    def count(self) -> int:
        return self.db[TABLE].count if self.db[TABLE].exists() else 0


def check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled()


def stage(path: str | Path, fields: Sequence[ImportField], *, cancelled: Cancelled | None = None) -> StagedFile:
    """The file's records in an in-memory table, with the header row that names `fields` best."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError("import_missing", f"找不到文件“{path}”。")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFileError("import_format", f"“{path.name}”不是可导入的表格：只能导入 .xlsx、.csv、.tsv 文件"
                              "（.xls 请先在 Excel 或 WPS 中另存为 .xlsx）。")
    if path.stat().st_size > MAX_BYTES:
        raise ImportFileError("import_unreadable", f"“{path.name}”超过200MB，不是台账或花名册。")
    sheet, grid = read_xlsx(path) if suffix == ".xlsx" else ("", read_delimited(path, suffix))
    check_cancel(cancelled)
    top = header_index(grid, fields)
    if top is None:
        known = "、".join(f.title for f in fields if f.required)
        raise ImportFileError("import_no_header", f"“{path.name}”前{HEADER_SEARCH_ROWS}行中找不到表头行"
                              f"（应有“{known}”等列名）。")
    names, last = header_names(grid, top, fields)
    db = sqlite_utils.Database(memory=True)
    skipped = 0
    batch: list[dict] = []
    for index in range(last + 1, len(grid)):
        values = grid[index]
        if headers.is_blank_row(values) or headers.is_total_row(values):
            skipped += 1
            continue
        record = {ROW_COLUMN: index + 1}
        for i, value in enumerate(values):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            record[names[i] if i < len(names) else f"第{i + 1}列"] = plain(value)
        batch.append(record)
        if len(batch) == 1000:
            check_cancel(cancelled)
            db[TABLE].insert_all(batch, alter=True)
            batch = []
    if batch:
        db[TABLE].insert_all(batch, alter=True)
    extra = [c for c in (db[TABLE].columns_dict if db[TABLE].exists() else {}) if c not in names and c != ROW_COLUMN]
    return StagedFile(path.name, sheet, last + 1, names + extra, db, skipped)


def plain(value: object) -> object:
    """A cell as staged: text, number, or an ISO date (sqlite holds no dates)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def read_xlsx(path: Path) -> tuple[str, list[list]]:
    """The first sheet's cells, each merged range's value copied into every cell it covers.

    Read-only mode (several times faster on a ledger of thousands of rows) has no merged ranges, so
    they are read from the sheet's own XML; its dimensions are ignored, since WPS may write them wrong.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        with ZipFile(path) as archive:
            xml = archive.read(sheet._worksheet_path).decode("utf-8", errors="replace")
        book.close()
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("import_unreadable", f"“{path.name}”无法读取：不是有效的 .xlsx 文件或已损坏。") from exc
    for ref in MERGED.findall(xml):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row > len(grid):
            continue
        value = cell(grid, min_row - 1, min_col - 1)
        for r in range(min_row - 1, min(max_row, len(grid))):
            row = grid[r]
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col - 1, max_col):
                row[c] = value
    return sheet.title, grid


def cell(grid: list[list], r: int, c: int) -> object:
    return grid[r][c] if c < len(grid[r]) else None


def decode(data: bytes, name: str) -> str:
    """UTF-8 (BOM or not) first, since GB18030 would also "read" UTF-8 bytes into wrong characters."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("import_encoding", f"“{name}”的文字编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。")


def read_delimited(path: Path, suffix: str) -> list[list]:
    text = decode(path.read_bytes(), path.name)
    if suffix == ".tsv":
        delimiter = "\t"
    else:
        try:  # WPS and Excel "文本文件" are tab-separated even when named .csv
            _, found = rows_from_file(io.BytesIO(text[:4096].encode("utf-8")), encoding="utf-8")
        except csv.Error:  # the sniffer gives up on rows ending in empty cells: count the header's marks
            first = text.split("\n", 1)[0]
            found = Format.TSV if first.count("\t") > first.count(",") else Format.CSV
        delimiter = "\t" if found == Format.TSV else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def header_index(grid: list[list], fields: Sequence[ImportField]) -> int | None:
    best, at = 1, None  # a header names at least two fields
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        score = headers.header_score(row, fields)
        if score > best:
            best, at = score, i
    return at


def header_names(grid: list[list], top: int, fields: Sequence[ImportField]) -> tuple[list[str], int]:
    """Unique column names from the header row and, where there is one, the header row below it;
    and the index of the last header row."""
    first = [cell_text(v) for v in grid[top]]
    below = [cell_text(v) for v in grid[top + 1]] if top + 1 < len(grid) else []
    two = bool(below) and headers.header_score(below, fields) >= 1 and all(
        not b or b == (first[i] if i < len(first) else "") or headers.guess_field(b, fields)
        or not headers.guess_field(first[i] if i < len(first) else "", fields) for i, b in enumerate(below))
    names = []
    width = max(len(first), len(below) if two else 0)
    group = ""
    for i in range(width):
        upper = first[i] if i < len(first) else ""
        lower = below[i] if two and i < len(below) else ""
        group = upper or group if two else upper  # a merged group title left blank by CSV export
        if not lower or lower == upper:
            name = upper or (group if lower else "")
        elif headers.guess_field(lower, fields) or not group:
            name = lower
        else:
            name = f"{group}{lower}"
        names.append(name or f"第{i + 1}列")
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}（{seen[name]}）")
    return unique, top + 1 if two else top


def cell_text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())
