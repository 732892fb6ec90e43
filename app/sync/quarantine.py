"""Refused bundles are copied to `<data>/quarantine/` with a JSON note of why.

Kept beside the store, not in it: a refused bundle leaves the store byte-for-byte unchanged. A
bundle refused only because its sender's fingerprint is not yet confirmed carries the sender's
public keys in its note, so the operator can confirm them (`trust`) and import it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.storage.atomic import atomic_write_bytes

FOLDER = "quarantine"


@dataclass(frozen=True)
class Held:
    file: str
    original_name: str
    reason_code: str
    reason: str
    at: str
    sender_code: str
    sender_office_id: str
    seq: int | None
    sign_public: str
    age_recipient: str
    fingerprint: str
    sha256: str


def sha256_or_empty(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def folder(root: Path) -> Path:
    return root / FOLDER


def hold(root: Path, source: Path, reason_code: str, reason: str, manifest: dict | None, keys_checked: bool) -> Path:
    """Copy `source` into quarantine with its note; returns the copy's path."""
    target_dir = folder(root)
    target_dir.mkdir(mode=0o700, exist_ok=True)
    digest = sha256_or_empty(source)
    for item in held(root):
        if digest and item.sha256 == digest and item.reason_code == reason_code:
            return target_dir / item.file  # the same file refused again for the same reason: kept once
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    copy = target_dir / f"{stamp}_{source.name}"
    try:
        shutil.copyfile(source, copy)
    except OSError:
        copy.write_bytes(b"")  # the original vanished or cannot be read; the note still says why
    sender = (manifest or {}).get("sender") if isinstance((manifest or {}).get("sender"), dict) else {}
    note = {
        "file": copy.name,
        "original_name": source.name,
        "sha256": digest,
        "reason_code": reason_code,
        "reason": reason,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sender_code": str(sender.get("code", "")),
        "sender_office_id": str(sender.get("office_id", "")),
        "seq": (manifest or {}).get("seq") if type((manifest or {}).get("seq")) is int else None,
        # keys only when the bundle's signature was made with them (proof of possession)
        "sign_public": str(sender.get("sign_public", "")) if keys_checked else "",
        "age_recipient": str(sender.get("age_recipient", "")) if keys_checked else "",
        "fingerprint": str(sender.get("fingerprint", "")) if keys_checked else "",
    }
    atomic_write_bytes(copy.with_name(copy.name + ".json"), json.dumps(note, ensure_ascii=False, indent=1).encode("utf-8"))
    return copy


def held(root: Path) -> list[Held]:
    out = []
    base = folder(root)
    if not base.is_dir():
        return out
    for note in sorted(base.glob("*.json")):
        try:
            data = json.loads(note.read_text("utf-8"))
            out.append(Held(**{k: data.get(k) for k in Held.__dataclass_fields__}))
        except (OSError, ValueError, TypeError):
            continue
    return out


def release(root: Path, item: Held) -> None:
    """Forget a held bundle (after it was imported, or on the operator's request)."""
    for name in (item.file, item.file + ".json"):
        path = folder(root) / name
        if path.exists():
            os.remove(path)
