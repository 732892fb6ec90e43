"""Where the app keeps its data and finds its packaged resources."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATA_ENV = "JIANTONG_DATA"


def default_data_dir() -> Path:
    """The data dir when none is given: env JIANTONG_DATA, else the platform's user data dir."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("jiantong", appauthor=False))


def source_root() -> Path:
    """Folder holding `resources/` and `app/`: the PyInstaller bundle when frozen, else the repo."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return source_root() / "resources"


@dataclass(frozen=True)
class StorePaths:
    """The files of one encrypted store inside a data dir."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "store.db"

    @property
    def keyslots(self) -> Path:
        return self.root / "keyslots.json"

    @property
    def keyslots_copy(self) -> Path:
        return self.root / "keyslots.copy.json"

    @property
    def throttle(self) -> Path:
        return self.root / "unlock-throttle.json"

    @property
    def lock(self) -> Path:
        """Held by the one process that has this store open (app/storage/instance_lock.py)."""
        return self.root / "store.lock"

    @property
    def sync_work(self) -> Path:
        """Owner-only working folders of exports and imports (plain payloads): app/sync/pack.py."""
        return self.root / "sync-work"

    @property
    def migration_backups(self) -> Path:
        return self.root / "migration-backups"

    def exists(self) -> bool:
        return self.db.exists() or self.keyslots.exists() or self.keyslots_copy.exists()

    def sidecars(self) -> tuple[Path, ...]:
        """SQLite's WAL companions, which hold pages of the same encrypted store."""
        return (self.root / "store.db-wal", self.root / "store.db-shm")


def store_paths(data_dir: Path, *, practice: bool = False) -> StorePaths:
    return StorePaths(data_dir / "practice" if practice else data_dir)
