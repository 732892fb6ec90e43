"""Owner-only files: the data folder 0700 and its files 0600 on Linux (and other POSIX systems).

Whoever copies the folder gets only ciphertext, but other local accounts should not get even that:
a copy is all an offline guesser needs. On Windows the data folder lives in the user's profile
(`%LOCALAPPDATA%`), whose access rules already admit only that user; nothing is changed there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.paths import StorePaths

DIR_MODE = 0o700
FILE_MODE = 0o600
# folders of a store whose files are store copies or slots (the practice store is tightened on its own)
STORE_SUBFOLDERS = ("restore-previous", "migration-backups", "sync-work", "quarantine", "open-documents")


def posix() -> bool:
    return os.name != "nt"


def private_dir(path: Path) -> Path:
    """Create `path` (and its missing parents) owner-only, or tighten it when it already exists."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path)
    return path


def tighten(path: Path) -> None:
    """Remove group and other access from one file or folder we own (links are left alone)."""
    if not posix():
        return
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
        return
    wanted = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, stat.S_IMODE(st.st_mode) & wanted)


def tighten_store(paths: StorePaths) -> None:
    """The data folder, the files in it and the store's own subfolders; cheap, run at every unlock."""
    if not posix() or not paths.root.is_dir():
        return
    tighten(paths.root)
    for entry in paths.root.iterdir():
        if entry.is_file() and not entry.is_symlink():
            tighten(entry)
    for name in (*STORE_SUBFOLDERS, "practice"):
        folder = paths.root / name
        if folder.is_dir() and not folder.is_symlink():
            tighten(folder)
            if name != "practice":
                for entry in folder.rglob("*"):
                    tighten(entry)
