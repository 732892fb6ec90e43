"""How the columns of an imported spreadsheet map to fields, and what is wrong with a row.

A mapping is header text → field id ("" = not imported: the text goes into the record's note). The
guess comes from the usual headers (app/domain/ledger_headers.py); the user's choices go over it
and can be saved as JSON and used again for the next file of the same office.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.domain import text_hygiene as hygiene
from app.domain.ledger_headers import ImportField, field_by_id, guess_mapping
from app.services.import_staging import ImportFileError


@dataclass(frozen=True)
class ColumnInfo:
    index: int
    header: str
    field: str  # "" = not imported: its text goes into the record's note


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str


class RowInvalid(Exception):
    """A row that cannot be imported: the column (its header) and why."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason



def resolve_mapping(headers: list[str], given: dict[str, str] | None, fields: tuple[ImportField, ...]) -> dict[str, str]:
    """The guessed mapping with the user's choices over it; ImportFileError when it cannot be used."""
    mapping = guess_mapping(headers, fields)
    known = field_by_id(fields)
    for header, field_id in (given or {}).items():
        if not isinstance(header, str) or not isinstance(field_id, str) or (field_id and field_id not in known):
            raise ImportFileError("import_mapping", f"对应关系中“{header}”对应的字段“{field_id}”无法识别"
                                  f"（可用：{'、'.join(known)}，或空字符串表示不导入）。")
        if header in mapping:
            mapping[header] = field_id
    chosen = [f for f in mapping.values() if f]
    twice = sorted({known[f].title for f in chosen if chosen.count(f) > 1})
    if twice:
        raise ImportFileError("import_mapping", f"“{'、'.join(twice)}”对应了不止一列，请只选一列。")
    missing = [f.title for f in fields if f.required and f.id not in chosen]
    if missing:
        raise ImportFileError("import_mapping", f"没有找到“{'、'.join(missing)}”所在的列，请在对应关系中指定。")
    return mapping


def load_mapping(path: str | Path, kind: str) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFileError("import_mapping", f"对应关系文件“{path}”无法读取：应为 JSON。") from exc
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or data.get("kind", kind) != kind:
        raise ImportFileError("import_mapping", f"对应关系文件“{path}”格式有误：应为 {{\"kind\": \"{kind}\", \"columns\": {{列名: 字段}}}}。")
    return columns


def save_mapping(mapping: dict[str, str], path: str | Path, kind: str) -> None:
    Path(path).write_text(json.dumps({"kind": kind, "columns": mapping}, ensure_ascii=False, indent=2), encoding="utf-8")


def kept_note(lines: list[str], column: str) -> str:
    """备注 and the unmapped columns as one note, as text hygiene keeps a long text."""
    try:
        return hygiene.clean("\n".join(line for line in lines if line), hygiene.LONG, "备注")
    except hygiene.TextRejected as exc:
        raise RowInvalid(column, exc.message) from None
