"""A township bundle of many small records: 1,000,000 person rows (issue 17 §12: ≤ 30 s, < 300 MiB).

The township's rows are written with Core inserts (not timed), each made a second before the next,
as a township's records are made one by one over the years; created and last changed at the same
time, as a record never changed since. The county's import runs in a child process, so its peak
resident memory (VmHWM) is the import's own, not this bench's.

Run: python -m bench sync_records   (BENCH_SYNC_RECORDS=200000 for a quick look)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from app.models import Person
from app.models.base import new_id, utcnow
from app.paths import store_paths
from app.services import offices, sync, unlock
from bench.bench_sync import PASSWORD, make_stores

RECORDS = int(os.environ.get("BENCH_SYNC_RECORDS", "1000000"))
GOAL_S, GOAL_MIB = 30.0, 300.0


def fill(store) -> None:
    me, first = store.office.id, utcnow() - timedelta(seconds=RECORDS)
    with store.write() as s:
        connection = s.connection()
        for start in range(0, RECORDS, 20_000):
            rows = []
            for i in range(start, min(start + 20_000, RECORDS)):
                made = first + timedelta(seconds=i)
                rows.append({"id": new_id(), "owner_office_id": me, "version": 1, "created_at": made, "updated_at": made,
                             "deleted": False, "name": f"人员{i:07d}", "unit": "某村民委员会", "post": "村民小组长",
                             "person_key": f"bench-{i}"})
            connection.execute(insert(Person.__table__), rows)


def child(county_root: str, bundle: str) -> None:
    """Import one bundle into the county store and print the result, seconds and peak MiB as JSON."""
    from bench.peak_memory import peak_rss_mib

    county = unlock.unlock(store_paths(Path(county_root)), None, PASSWORD).store
    start = time.perf_counter()
    result = sync.import_one(county, Path(bundle))
    seconds = time.perf_counter() - start
    print(json.dumps({"new": result.new, "refused": result.refused, "reason": result.reason, "seconds": seconds,
                      "peak_mib": peak_rss_mib()}))


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-sync-records-"))
    try:
        county, township = make_stores(root)
        fill(township)
        stick = root / "stick"
        stick.mkdir()
        bundle = Path(sync.export(township, "C01", stick, full=True).bundle)
        assert sync.import_one(county, bundle).code == "fingerprint_unconfirmed"
        offices.trust(county, "T001", offices.fingerprint(township).fingerprint)
        county_root = county.paths.root
        county.close()
        township.close()
        out = subprocess.run([sys.executable, "-m", "bench.bench_sync_records", "--child", str(county_root), str(bundle)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        assert not r["refused"] and r["new"] >= RECORDS, r
        print(f"bundle: {RECORDS} person records, {bundle.stat().st_size / 1024 / 1024:.1f} MB on the stick")
        print(f"import  {r['seconds']:7.2f} s   goal <= {GOAL_S:.0f} s")
        print(f"peak    {r['peak_mib']:7.1f} MiB goal < {GOAL_MIB:.0f} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
    else:
        main()
