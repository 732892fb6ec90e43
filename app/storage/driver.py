"""The SQLCipher driver, sqlcipher3, as every connection of this app uses it.

pysqlite's drivers bind int, float, str and bytearray directly; anything else, None included, goes
through the adaptation protocol first, which fails two attribute lookups (raising and clearing an
exception each time) before binding it as it is. For None that is about a microsecond, more than
SQLite's own work for the value, and a bundle of a million records binds several million of them
(every empty column, and the staging's empty keys). An adapter registered for NoneType is found at
the first lookup (`bench/bench_sync_records.py`; docs/PERFORMANCE.md). Adapters for the directly
bound types would instead send every value through adaptation; NoneType is not one of them.
"""

from __future__ import annotations

import sqlcipher3.dbapi2 as sqlcipher

sqlcipher.register_adapter(type(None), lambda value: value)

__all__ = ["sqlcipher"]
