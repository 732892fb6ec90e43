"""The cyclic garbage collector kept off the process's long-lived objects while a bundle is made or taken.

An export or import allocates millions of short-lived containers (a record's dict, the tuples it
travels in), and those allocations trigger full collections. Each full collection walks every object
the process holds — its modules, SQLAlchemy's mappers, the rules in force: about 130,000 objects, some
80 ms a time, six times for 200,000 records (`bench/bench_sync_records.py`). `gc.freeze()` moves the
objects that exist when the work starts to a generation no collection visits, so a collection walks
only what the work made; that is still collected as usual. Holds that overlap (an export on one
thread, an import on another) share one freeze, and the last to end lets the collector see
everything again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    global _holders
    with _lock:
        if _holders == 0:
            gc.freeze()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                gc.unfreeze()
