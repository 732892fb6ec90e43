"""打开/编辑: a stored document decrypted into a private folder for the word processor, and back.

The folder `<data dir>/open-documents/` and each export's subfolder are owner-only (0700, files
0600; on Windows the user profile's ACL does the same). Beside each file a small `.export.json`
records which document version it came from and the sha256 it had, so the app can tell whether
the user saved changes. Nothing here asks the user anything: the case screen calls
`changed_since_export` when its window regains focus and offers `store_edited_version`.

On lock and on exit `close_out` keeps every changed file as a new version (the draft is saved,
never lost) and then removes the folder. After a crash, app start (`purge_unchanged`, before any
window) removes the copies that hold nothing new; a copy the user had changed stays, owner-only,
until the store is next unlocked, when `close_out` keeps it as a new version too.
This module imports nothing heavy at load time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.paths import StorePaths

FOLDER_NAME = "open-documents"
SIDECAR = ".export.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditSession:
    """One document version written out for the word processor."""

    document_id: str
    path: Path
    sha256: str  # of the bytes as last exported or stored back
    title: str


def temp_root(paths: StorePaths) -> Path:
    return paths.root / FOLDER_NAME


def _private_dir(root: Path) -> Path:
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, stat.S_IRWXU)
    return Path(tempfile.mkdtemp(dir=root, prefix="doc-"))  # mkdtemp makes it 0700


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save_sidecar(session: EditSession) -> None:
    record = {"document_id": session.document_id, "file": session.path.name, "sha256": session.sha256, "title": session.title}
    _write_private(session.path.parent / SIDECAR, json.dumps(record, ensure_ascii=False).encode("utf-8"))


def export_for_editing(store, document_id: str) -> EditSession:
    """Write the document into a fresh private folder and return where it is (open it with the system's app)."""
    from app.services import documents

    row, data = documents.content(store, document_id)
    folder = _private_dir(temp_root(store.paths))
    path = folder / f"{documents.safe_name(row.title)}.docx"
    _write_private(path, data)
    session = EditSession(row.document_id, path, hashlib.sha256(data).hexdigest(), row.title)
    _save_sidecar(session)
    return session


def changed_since_export(session: EditSession) -> bool:
    """Whether the user saved a different file over the export (False when it is gone or unreadable)."""
    try:
        return _digest(session.path) != session.sha256
    except OSError:
        return False


def store_edited_version(store, session: EditSession):
    """Keep the saved file as the document's next version; the session then counts it as stored.

    Returns (DocumentRow of the new version, the updated EditSession). A file that is not a valid
    .docx is refused with InputError and nothing is stored.
    """
    from app.services import documents

    data = session.path.read_bytes()
    row = documents.store_version(store, session.document_id, data)
    updated = EditSession(row.document_id, session.path, hashlib.sha256(data).hexdigest(), row.title)
    _save_sidecar(updated)
    return row, updated


def open_sessions(paths: StorePaths) -> list[EditSession]:
    """Every export still on disk (a folder whose record or file is damaged is left out)."""
    root = temp_root(paths)
    found = []
    for sidecar in sorted(root.glob(f"*/{SIDECAR}")) if root.is_dir() else []:
        try:
            record = json.loads(sidecar.read_text(encoding="utf-8"))
            found.append(EditSession(record["document_id"], sidecar.parent / record["file"], record["sha256"], record["title"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def pending_edits(paths: StorePaths) -> list[EditSession]:
    return [s for s in open_sessions(paths) if changed_since_export(s)]


def purge_unchanged(paths: StorePaths) -> int:
    """At start, for a store no window holds: remove every export a crash left except those the user
    changed (they wait for the next unlock's `close_out`). Returns how many wait."""
    root = temp_root(paths)
    if not root.is_dir():
        return 0
    waiting = {session.path.parent for session in pending_edits(paths)}
    if not waiting:
        purge_temp(paths)
        return 0
    for left in root.iterdir():
        if left not in waiting:
            shutil.rmtree(left, ignore_errors=True) if left.is_dir() else left.unlink(missing_ok=True)
    return len(waiting)


def purge_temp(paths: StorePaths) -> bool:
    """Remove the export folder; True when nothing is left (a file the word processor still locks stays until next time)."""
    root = temp_root(paths)
    if not root.exists():
        return True
    shutil.rmtree(root, ignore_errors=True)
    if root.exists():
        log.warning("could not remove every file of %s (still open in another program?)", root)
        return False
    return True


def close_out(store) -> tuple:
    """On lock and exit: store every changed export as a new version, then remove the folder.

    Returns the rows stored. A file that cannot be stored (not a .docx any more) is logged and removed
    with the rest: it holds case content in plain text and must not outlive the session.
    """
    stored = []
    for session in pending_edits(store.paths):
        try:
            stored.append(store_edited_version(store, session)[0])
        except Exception as exc:  # noqa: BLE001 - locking must go on whatever one file holds
            log.warning("edited document %s not stored: %s", session.document_id, exc)
    purge_temp(store.paths)
    return tuple(stored)
