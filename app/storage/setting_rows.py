"""Writing `Setting` rows: only when the value changes, so the audit log records real changes."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Setting


def put(s: Session, key: str, value) -> bool:
    """Insert or update one setting; True when something changed."""
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=value))
        return True
    if row.value == value:
        return False
    row.value = value
    s.add(row)
    return True
