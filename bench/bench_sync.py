"""Export and import throughput of a township's full bundle: 10,000 cases and 200 MB of attachments,
against a floor measured in the same run (issue 17 §12: within 2× of it):

- export floor: bare age encryption (pyrage) of the same payload bytes, plus a bare SQLCipher read
  of the same rows and files (`SELECT *` of every synced table and the audit log, on the store's own
  keyed connection, no ORM);
- import floor: bare age decryption of the payload, plus a bare SQLCipher write of the same rows
  and files into a new store with the same schema — tables, indexes and the triggers of migration
  0002 that index each case for search as its rows arrive — key settings and `synchronous = FULL`
  (the driver's executemany of the tuples read above, one commit).

Both ratios are printed: to the floor and to bare age alone; for import also to a floor whose
write leaves the search triggers out (as earlier runs of this bench measured it).

Run: python -m bench sync   (takes a few minutes; prints the ratios, median of BENCH_SYNC_RUNS runs)
Smaller for quick iteration: BENCH_SYNC_CASES=2000 BENCH_SYNC_MB=40 python -m bench sync

Export always ends with the read-back check of docs/BUNDLE.md §10 (the written file read again
from the device, its page cache dropped, and hashed), so its ratio is also printed against the
floor plus that bare read: the least any export that verifies what it wrote can cost.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import pyrage
import sqlcipher3

from app.domain import workflow as engine
from app.models import SYNCED_TABLES, Attachment, Case, Clue, ClueSubject, Person, StepRecord
from app.paths import store_paths
from app.services import case_codec, offices, ruleset, setup, sync, unlock
from app.storage.engine import key_pragma
from app.sync import container, keys
from app.sync.records import AUDIT_TABLE

CASES = int(os.environ.get("BENCH_SYNC_CASES", "10000"))
ATTACHMENT_BYTES = int(os.environ.get("BENCH_SYNC_MB", "200")) * 1024 * 1024
RUNS = int(os.environ.get("BENCH_SYNC_RUNS", "3"))
ATTACHMENT_SIZE = 512 * 1024
PASSWORD = "bench-2026-sync"


def make_stores(root: Path):
    county_paths = store_paths(root / "county")
    setup.create_store(county_paths, setup.SetupRequest("C01", "青山县纪委", "county", "管理员", PASSWORD, parent_code="S01",
                                                        kdf_profile="fast"))
    county = unlock.unlock(county_paths, None, PASSWORD).store
    offices.add_office(county, "T001", "青石镇纪委", "township", abbr="青石")
    package = root / "setup.jab"
    offices.make_setup_package(county, "T001", package)
    township_paths = store_paths(root / "township")
    setup.create_store(township_paths, setup.SetupRequest("", "", "", "管理员", PASSWORD, kdf_profile="fast",
                                                          setup_package=offices.read_setup_package(package)))
    return county, unlock.unlock(township_paths, None, PASSWORD).store


def fill(store) -> None:
    """CASES registered cases with their person, link and step row, and the attachments, in one transaction."""
    rules = ruleset.load(store)
    received = date(2026, 3, 2)
    me = store.office.id
    with store.write() as s:
        cases = []
        for i in range(CASES):
            person = Person(owner_office_id=me, name=f"测试人员{i:05d}", unit="某村民委员会", person_key=f"bench-{i}")
            clue = Clue(owner_office_id=me, number=f"青石纪线〔2026〕{i + 1}号", received_on=received, source="自行发现",
                        summary=f"反映测试人员{i:05d}违规发放补贴的问题线索，需进一步了解核实。", categories=["违反群众纪律"])
            state = engine.initial_state(rules.workflow, received, {"source": "自行发现", "persons": [{"name": person.name}]})
            case = Case(owner_office_id=me, clue_id=clue.id, stage="intake", step_id=state.step_id, step_entered_on=received,
                        state=case_codec.to_json(state))
            s.add_all([person, clue])
            s.flush()
            s.add(ClueSubject(owner_office_id=me, clue_id=clue.id, person_id=person.id))
            s.add(case)
            s.flush()
            s.add(StepRecord(owner_office_id=me, case_id=case.id, seq=1, step_id=state.step_id, entered_on=received))
            cases.append(case.id)
        for n in range(ATTACHMENT_BYTES // ATTACHMENT_SIZE):
            data = os.urandom(ATTACHMENT_SIZE)
            s.add(Attachment(owner_office_id=me, case_id=cases[n * 17 % CASES], name=f"证据{n}.jpg", content=data,
                             size=len(data), sha256=hashlib.sha256(data).hexdigest()))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bare_age(root: Path, bundle: Path, identity, recipient) -> tuple[float, float, float]:
    """(payload MB, bare decrypt s, bare encrypt s) over this bundle's payload."""
    header = container.read_header(bundle)
    cipher, plain, again = root / "payload.age", root / "payload.zip", root / "again.age"
    with open(bundle, "rb") as src, open(cipher, "wb") as dst:
        src.seek(header.body_offset)
        shutil.copyfileobj(src, dst, 1024 * 1024)
    with open(cipher, "rb") as src, open(plain, "wb") as dst:
        _, decrypt_s = timed(lambda: pyrage.decrypt_io(src, dst, [identity]))
    with open(plain, "rb") as src, open(again, "wb") as dst:
        _, encrypt_s = timed(lambda: pyrage.encrypt_io(src, dst, [recipient]))
    mb = plain.stat().st_size / 1024 / 1024
    for p in (cipher, plain, again):
        p.unlink()
    return mb, decrypt_s, encrypt_s


def bare_read(store) -> tuple[dict[str, list[tuple]], float]:
    """Every synced row and the audit log, read with plain SELECTs on the store's keyed connection."""
    raw = store.engine.raw_connection()
    try:
        start = time.perf_counter()
        rows = {t: raw.cursor().execute(f'SELECT * FROM "{t}"').fetchall() for t in [*SYNCED_TABLES, AUDIT_TABLE]}
        return rows, time.perf_counter() - start
    finally:
        raw.close()


FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")  # tables an FTS5 virtual table makes itself


def store_schema(store, *, triggers: bool) -> list[str]:
    """The store's own schema as SQL, in an order that creates it: tables (the FTS5 search table of
    migration 0002 included, its shadow tables left to it), then indexes, then — if asked — the
    triggers that keep the search table current as rows arrive."""
    raw = store.engine.raw_connection()
    try:
        rows = raw.cursor().execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid").fetchall()
    finally:
        raw.close()
    virtual = [name for kind, name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    shadows = {f"{v}_{suffix}" for v in virtual for suffix in FTS5_SHADOWS}
    return [sql for kind, name, sql in rows if name not in shadows and (triggers or kind != "trigger")]


def bare_write(root: Path, schema_from, rows: dict[str, list[tuple]], *, triggers: bool = True) -> float:
    """The same rows written into a new SQLCipher database with the store's schema and settings."""
    schema = store_schema(schema_from, triggers=triggers)
    path = root / "bare.db"
    db = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        for pragma in (key_pragma(os.urandom(32)), "PRAGMA cipher_compatibility = 4", "PRAGMA journal_mode = WAL",
                       "PRAGMA synchronous = FULL"):
            db.execute(pragma)
        for sql in schema:
            db.execute(sql)
        start = time.perf_counter()
        db.execute("BEGIN")
        for table, values in rows.items():
            if values:
                db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(values[0]))})', values)
        db.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        db.close()
        for p in root.glob("bare.db*"):
            p.unlink()


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        county, township = make_stores(root)
        _, fill_s = timed(lambda: fill(township))
        print(f"filled township store with {CASES} cases and {ATTACHMENT_BYTES // 1024 // 1024} MB attachments "
              f"in {fill_s:.1f} s; {RUNS} runs")
        stick = root / "stick"
        stick.mkdir()
        first_export = sync.export(township, "C01", stick, full=True)
        first_bundle = Path(first_export.bundle)
        first = sync.import_one(county, first_bundle)
        assert first.code == "fingerprint_unconfirmed", first
        offices.trust(county, "T001", offices.fingerprint(township).fingerprint)
        with county.read() as s:
            identity = offices.own_keys(s, county.office.id).identity()
            recipient = keys.recipient(offices.own_keys(s, county.office.id).public.age_recipient)
        county_paths = county.paths
        county.close()
        pristine = root / "county-pristine"
        shutil.copytree(county_paths.root, pristine)

        table_rows, _ = bare_read(township)
        exports, imports, decrypts, encrypts, reads, writes, plain_writes, rereads = [], [], [], [], [], [], [], []
        for run in range(RUNS):
            exported, export_s = timed(lambda: sync.export(township, "C01", stick, full=True))
            bundle = Path(exported.bundle)
            container.drop_cache(bundle)
            rereads.append(timed(lambda b=bundle: container.file_sha256(b))[1])
            # each run imports the first bundle into a fresh copy of the county store as it was before the first import
            shutil.rmtree(county_paths.root)
            shutil.copytree(pristine, county_paths.root)
            county = unlock.unlock(county_paths, None, PASSWORD).store
            imported, import_s = timed(lambda c=county: sync.import_one(c, first_bundle))
            assert not imported.refused and imported.new + imported.unchanged == first_export.records, imported
            county.close()
            mb, decrypt_s, encrypt_s = bare_age(root, first_bundle, identity, recipient)
            bundle.unlink()
            reads.append(bare_read(township)[1])
            writes.append(bare_write(root, township, table_rows))
            plain_writes.append(bare_write(root, township, table_rows, triggers=False))
            exports.append(export_s)
            imports.append(import_s)
            decrypts.append(decrypt_s)
            encrypts.append(encrypt_s)
            print(f"  run {run + 1}: export {export_s:6.2f} s, import {import_s:6.2f} s, "
                  f"bare encrypt {encrypt_s:5.2f} s, bare decrypt {decrypt_s:5.2f} s, "
                  f"bare read {reads[-1]:5.2f} s, bare write {writes[-1]:5.2f} s (without triggers {plain_writes[-1]:5.2f} s)")
        ex, im = statistics.median(exports), statistics.median(imports)
        enc, dec = statistics.median(encrypts), statistics.median(decrypts)
        read, write, plain = statistics.median(reads), statistics.median(writes), statistics.median(plain_writes)
        reread = statistics.median(rereads)
        print(f"bundle: {first_export.records} records, {first_export.files} files, {first_bundle.stat().st_size / 1024 / 1024:.1f} MB "
              f"on the stick ({mb:.1f} MB payload); medians of {RUNS} runs")
        print(f"export  {ex:7.2f} s  {mb / ex:7.1f} MB/s   floor (age encrypt {enc:.2f} + SQLCipher read {read:.2f}) "
              f"{enc + read:6.2f} s   ratio {ex / (enc + read):5.1f}x   goal <= 2x   "
              f"(to bare age {ex / enc:5.1f}x; to floor + bare read-back {reread:.2f} s: {ex / (enc + read + reread):5.1f}x)")
        print(f"import  {im:7.2f} s  {mb / im:7.1f} MB/s   floor (age decrypt {dec:.2f} + SQLCipher write {write:.2f}) "
              f"{dec + write:6.2f} s   ratio {im / (dec + write):5.1f}x   goal <= 2x   (to bare age {im / dec:5.1f}x; "
              f"to a floor whose write skips the search triggers, {dec + plain:.2f} s: {im / (dec + plain):5.1f}x)")
        township.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
