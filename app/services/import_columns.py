"""The columns of a spreadsheet about to be imported, as the mapping step shows them: each header
with a few of its values and the field it is guessed to hold. Reads the file; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.ledger_headers import LEDGER_FIELDS, ROSTER_FIELDS, ImportField, guess_mapping
from app.services.import_staging import Cancelled, stage

FIELDS: dict[str, tuple[ImportField, ...]] = {"ledger": LEDGER_FIELDS, "roster": ROSTER_FIELDS}
SAMPLES = 3
SAMPLE_CHARS = 24
SAMPLE_ROWS = 200  # enough to find a few values in a sparse column without reading a whole ledger


@dataclass(frozen=True)
class ColumnSample:
    header: str
    samples: tuple[str, ...]  # up to SAMPLES distinct values from the first rows, shortened
    guessed: str  # field id, "" = not imported (its text goes into the note)


@dataclass(frozen=True)
class FileColumns:
    file: str
    sheet: str
    header_row: int
    rows: int
    skipped: int  # blank and 合计 rows
    columns: tuple[ColumnSample, ...]


def shortened(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS - 1] + "…"


def read_columns(path: str | Path, kind: str, *, cancelled: Cancelled | None = None) -> FileColumns:
    """The file's headers with sample values and the guessed mapping (`kind` "ledger" or "roster")."""
    staged = stage(path, FIELDS[kind], cancelled=cancelled)
    found: dict[str, list[str]] = {h: [] for h in staged.headers}
    for index, row in enumerate(staged.rows()):
        if index >= SAMPLE_ROWS:
            break
        for header, values in found.items():
            value = row.get(header)
            if value not in (None, "") and len(values) < SAMPLES and shortened(value) not in values:
                values.append(shortened(value))
    guessed = guess_mapping(staged.headers, FIELDS[kind])
    return FileColumns(staged.file, staged.sheet, staged.header_row, staged.count, staged.skipped,
                       tuple(ColumnSample(h, tuple(found[h]), guessed.get(h, "")) for h in staged.headers))
