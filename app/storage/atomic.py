"""Crash-safe file writes: temporary name in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from app.errors import StoreError


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS journals the rename.
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_error(exc: OSError, target: Path) -> StoreError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreError("disk_full", f"磁盘空间不足，未能写入“{target.name}”。请清理磁盘或换一个位置后重试，原有文件未改动。")
    return StoreError("write_failed", f"写入“{target}”失败：{exc.strerror or exc}。原有文件未改动。")


def atomic_write(target: Path, write: Callable[[object], None]) -> None:
    """Write through `write(fileobj)` to a temporary file, then replace `target` in one step.

    Either the old file or the complete new one exists afterwards, never a partial one.
    """
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise disk_error(exc, target) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    atomic_write(target, lambda fh: fh.write(data))


def atomic_copy(source: Path, target: Path) -> None:
    def copy(fh) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, fh, 1024 * 1024)

    atomic_write(target, copy)
