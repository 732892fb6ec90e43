"""Export and import throughput of a township's full bundle: 10,000 cases and 200 MB of attachments,
as ratios to bare age encryption and decryption (pyrage) of the same payload bytes in the same run.

Run: python -m bench sync   (takes a few minutes; prints the ratios)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import pyrage

from app.domain import workflow as engine
from app.models import Attachment, Case, Clue, ClueSubject, Person, StepRecord
from app.paths import store_paths
from app.services import case_codec, offices, ruleset, setup, sync, unlock
from app.sync import container, keys

CASES = 10_000
ATTACHMENT_BYTES = 200 * 1024 * 1024
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
    """10,000 registered cases with their person, link and step row, and the attachments, in one transaction."""
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


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        county, township = make_stores(root)
        _, fill_s = timed(lambda: fill(township))
        print(f"filled township store with {CASES} cases and {ATTACHMENT_BYTES // 1024 // 1024} MB attachments in {fill_s:.1f} s")
        stick = root / "stick"
        stick.mkdir()
        exported, export_s = timed(lambda: sync.export(township, "C01", stick, full=True))
        bundle = Path(exported.bundle)
        size = bundle.stat().st_size
        first = sync.import_one(county, bundle)
        assert first.code == "fingerprint_unconfirmed", first
        offices.trust(county, "T001", offices.fingerprint(township).fingerprint)
        imported, import_s = timed(lambda: sync.import_one(county, bundle))
        assert not imported.refused and imported.new + imported.unchanged == exported.records, imported

        # baseline: bare age over the very payload bytes this bundle carries
        with county.read() as s:
            identity = offices.own_keys(s, county.office.id).identity()
            recipient = keys.recipient(offices.own_keys(s, county.office.id).public.age_recipient)
        header = container.read_header(bundle)
        cipher = root / "payload.age"
        plain = root / "payload.zip"
        with open(bundle, "rb") as src, open(cipher, "wb") as dst:
            src.seek(header.body_offset)
            shutil.copyfileobj(src, dst, 1024 * 1024)
        with open(cipher, "rb") as src, open(plain, "wb") as dst:
            _, decrypt_s = timed(lambda: pyrage.decrypt_io(src, dst, [identity]))
        again = root / "again.age"
        with open(plain, "rb") as src, open(again, "wb") as dst:
            _, encrypt_s = timed(lambda: pyrage.encrypt_io(src, dst, [recipient]))
        mb = plain.stat().st_size / 1024 / 1024
        print(f"bundle: {exported.records} records, {exported.files} files, {size / 1024 / 1024:.1f} MB on the stick "
              f"({mb:.1f} MB payload)")
        print(f"export  {export_s:7.2f} s  {mb / export_s:7.1f} MB/s   bare age encrypt {encrypt_s:6.2f} s   "
              f"ratio {export_s / encrypt_s:6.1f}x")
        print(f"import  {import_s:7.2f} s  {mb / import_s:7.1f} MB/s   bare age decrypt {decrypt_s:6.2f} s   "
              f"ratio {import_s / decrypt_s:6.1f}x")
        county.close()
        township.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
