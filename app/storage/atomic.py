"""Crash-safe file writes: temporary name in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from contextlib import suppress
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


FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
# what SQLite says when a write is refused: SQLITE_FULL, or SQLITE_IOERR past a file-size limit
SQLITE_FULL_TEXTS = ("database or disk is full", "disk i/o error")
DISK_FULL_MESSAGE = "磁盘空间不足，操作未完成，原有数据未受影响。请清理磁盘后重试。"


# why a write failed, as the user can act on it (the system's own text is English)
OS_PROBLEMS = {
    errno.EROFS: "只读，不能写入（U盘可能打开了写保护开关）",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EIO: "读写出错（磁盘或U盘可能损坏或已拔出）",
    errno.ENOENT: "文件夹已不存在（U盘可能已拔出）",
}


def os_problem(exc: OSError) -> str:
    return OS_PROBLEMS.get(exc.errno) or exc.strerror or str(exc)


def disk_error(exc: OSError, target: Path) -> StoreError:
    if exc.errno in FULL_ERRNOS:
        return StoreError("disk_full", f"磁盘空间不足，未能写入“{target.name}”。请清理磁盘或换一个位置后重试，原有文件未改动。")
    return StoreError("write_failed", f"写入“{target}”失败：{os_problem(exc)}。原有文件未改动。")


def disk_full(exc: BaseException) -> StoreError | None:
    """The user's message when `exc` (or what caused it) is a refused write for want of space, else None.

    Covers OSError ENOSPC/EDQUOT/EFBIG from any file write and SQLite's own reports of the same,
    which SQLAlchemy wraps (the transaction was rolled back, so nothing was half stored).
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in FULL_ERRNOS:
            return StoreError("disk_full", DISK_FULL_MESSAGE)
        if type(current).__module__.startswith(("sqlcipher3", "sqlite3")) and \
                any(text in str(current).lower() for text in SQLITE_FULL_TEXTS):
            return StoreError("disk_full", DISK_FULL_MESSAGE)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def remove_stale_temps(target: Path) -> None:
    """Remove what an earlier writer of `target` left when it was killed mid-write (its process is gone)."""
    for path in target.parent.glob(f".{glob_escape(target.name)}.tmp-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            path.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def process_alive(pid: int) -> bool:
    if os.name == "nt":  # no cheap check there: keep the file, its name never looks like a finished one
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def atomic_write(target: Path, write: Callable[[object], None]) -> None:
    """Write through `write(fileobj)` to a temporary file, then replace `target` in one step.

    Either the old file or the complete new one exists afterwards, never a partial one.
    """
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    remove_stale_temps(target)
    try:
        # owner-only from the first byte (key slots, counters, backups): never readable by others, even briefly
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600), "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with suppress(OSError):  # a medium pulled out: report what failed, not the cleanup
            tmp.unlink(missing_ok=True)
        raise disk_error(exc, target) from exc
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    atomic_write(target, lambda fh: fh.write(data))


def atomic_copy(source: Path, target: Path) -> None:
    def copy(fh) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, fh, 1024 * 1024)

    atomic_write(target, copy)
