"""One open store per data directory: an OS-level exclusive lock on `<store>/store.lock`.

Held from unlock until `Store.close()` (lock screen, exit), and around set-up and restore. The
operating system drops it when the process dies, so a crash never leaves the store locked. A
second opener — another window, another process, or the same process again — is refused with a
clear message instead of writing into a store that another instance holds open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from app.errors import StoreError
from app.paths import StorePaths

IN_USE_MESSAGE = "纪案通已在另一个窗口或进程中打开此数据目录。请先关闭那个窗口，再重试。"


class StoreLock:
    """The held lock; `release()` is idempotent and may run on any thread."""

    def __init__(self, lock: FileLock):
        self._lock = lock

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def acquire(paths: StorePaths) -> StoreLock:
    """Take the lock now or raise StoreError("store_in_use"); never waits."""
    from app.storage.private import FILE_MODE, private_dir

    private_dir(paths.root)  # the data folder is owner-only from its creation (docs/SECURITY.md)
    # thread_local=False: the GUI unlocks on a worker thread and closes the store on the main thread
    lock = FileLock(str(paths.lock), timeout=0, mode=FILE_MODE, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise StoreError("store_in_use", IN_USE_MESSAGE, {"data_dir": str(paths.root)}) from exc
    except OSError as exc:
        raise StoreError("store_lock_failed",
                         f"无法在数据目录“{paths.root}”中建立锁文件（{exc.strerror or exc}）。请检查该目录是否可写。") from exc
    return StoreLock(lock)


@contextmanager
def held(paths: StorePaths) -> Iterator[StoreLock]:
    """The lock for the length of one operation on a closed store (set-up, restore)."""
    lock = acquire(paths)
    try:
        yield lock
    finally:
        lock.release()
