"""Where the file dialogs open: on the USB stick when one is plugged in (bundles, backups and
reports travel on it), else in the user's documents folder, else in the home folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from app.sync import volumes


def start_folder() -> Path:
    for volume in volumes.detect():
        if Path(volume.path).is_dir():
            return Path(volume.path)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def start_path(name: str = "") -> str:
    """A dialog's start: the start folder, or the file `name` in it (a `name` with a folder is kept)."""
    if not name:
        return str(start_folder())
    return name if Path(name).parent != Path() else str(start_folder() / name)
