"""Bundles that must be refused: every byte region flipped, truncation, replay, misaddressing,
missing or wrong signatures, practice data, and hostile payloads signed with the township's own key.
Each refusal leaves the county's store byte-for-byte as it was and quarantines the file."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import uuid
import zipfile
from pathlib import Path

import pyrage
import pytest
from sqlmodel import select

from app.errors import InputError
from app.models import BundleLog, Office, OfficeKey, Person, Setting
from app.paths import store_paths
from app.services import offices, subjects, sync, unlock
from app.sync import container, keys, limits, manifest, pack, records
from app.sync.container import BundleError
from tests.integration.conftest import PASSWORD
from tests.integration.conftest import run_cli_captured as run_cli
from tests.integration.test_sync_roundtrip import make_chain, ok, opened, pair, walk_to_county_review


def store_bytes(data: Path) -> str:
    digest = hashlib.sha256()
    for name in ("store.db", "store.db-wal", "keyslots.json"):
        path = data / name
        digest.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
    return digest.hexdigest()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """County and township paired, the township's next bundle (seq 2) waiting on the stick."""
    tmp = tmp_path_factory.mktemp("tamper")
    chain = make_chain(tmp, run_cli)
    walk_to_county_review(run_cli, chain.township, tmp)
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    bundle = Path(ok(run_cli("--data-dir", chain.township, "export", "--to", "C01", "--out", chain.stick, "--full", "--json"))["bundle"])
    with opened(chain.township) as store, store.read() as s:
        own = offices.own_keys(s, store.office.id)
        sender = offices.sender_block(s.get(Office, store.office.id), own)
    yield chain, bundle, own, sender, run_cli
    os.environ.pop("JIANTONG_PASSWORD", None)


@pytest.fixture
def county(world):
    chain = world[0]
    store = unlock.unlock(store_paths(chain.county), None, PASSWORD).store
    yield store
    store.close()


def refused(store, path: Path, code: str | None = None) -> sync.ImportResult:
    before = store_bytes(store.paths.root)
    result = sync.import_one(store, path)
    assert result.refused, result
    if code:
        assert result.code == code, result
    assert result.reason
    assert store_bytes(store.paths.root) == before
    return result


def regions(bundle: Path) -> dict[str, list[int]]:
    header = container.read_header(bundle)
    m_end = len(header.signed)  # prefix + manifest: the signature starts here
    body, size = header.body_offset, bundle.stat().st_size
    return {
        "magic": [0, 3, 7], "version": [8, 9], "length": [10, 12, 13],
        "manifest": [14, 20, (14 + m_end) // 2, m_end - 2, m_end - 1],
        "signature": [m_end, m_end + 31, m_end + 63],
        "age_header": [body, body + 5, body + 40, body + 90],
        "body": [body + (size - body) // 3, body + (size - body) // 2],
        "tail": [size - 17, size - 2, size - 1],
    }


@pytest.mark.parametrize("region", ["manifest", "signature", "age_header", "body", "tail", "cut"])
def test_read_back_catches_a_stick_that_did_not_keep_what_was_written(world, tmp_path, region):
    """Export reads its hidden file back from the stick before it records the bundle as sent and gives
    it its name: a byte the stick lost anywhere, or a file cut short, is caught there."""
    _, bundle, own, *_ = world
    m = container.read_header(bundle).manifest
    sealed = pack.Sealed(m["ciphertext_size"], m["ciphertext_sha256"])
    path = tmp_path / bundle.name
    shutil.copyfile(bundle, path)
    assert sync.read_back(path, own, sealed) == container.file_sha256(path)
    data = bytearray(path.read_bytes())
    if region == "cut":
        del data[-1000:]
    else:
        data[regions(bundle)[region][-1]] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError) as caught:
        sync.read_back(path, own, sealed)
    assert caught.value.code == "readback_failed" and "读回校验不一致" in caught.value.message


def test_read_back_catches_a_whole_bundle_that_is_not_the_one_sealed(world, tmp_path):
    """A file that is itself a whole, signed bundle (an older one left under the same hidden name) is
    not what this export sealed: its body's hash is not the sealed one."""
    _, bundle, own, *_ = world
    m = container.read_header(bundle).manifest
    with pytest.raises(BundleError) as caught:
        sync.read_back(bundle, own, pack.Sealed(m["ciphertext_size"], "0" * 64))
    assert caught.value.code == "readback_failed"


def test_every_region_flipped_is_refused(world, county, tmp_path):
    _, bundle, *_ = world
    data = bundle.read_bytes()
    for region, offsets in regions(bundle).items():
        for offset in offsets:
            bad = bytearray(data)
            bad[offset] ^= 0x01
            path = tmp_path / f"flip_{region}_{offset}.jab"
            path.write_bytes(bytes(bad))
            refused(county, path)
    # the untouched bundle still imports: the refusals were about the flips
    assert not sync.import_one(county, bundle, dry_run=True).refused


def test_truncation_at_many_offsets_is_refused(world, county, tmp_path):
    _, bundle, *_ = world
    data = bundle.read_bytes()
    header = container.read_header(bundle)
    cuts = sorted({0, 1, 7, 9, 13, 14, 100, header.body_offset - 64, header.body_offset - 1, header.body_offset,
                   header.body_offset + 16, len(data) // 2, len(data) - 100, len(data) - 1})
    for cut in cuts:
        path = tmp_path / f"cut_{cut}.jab"
        path.write_bytes(data[:cut])
        refused(county, path)
    appended = tmp_path / "appended.jab"
    appended.write_bytes(data + b"\0")
    refused(county, appended, "bundle_truncated")


def forge(world, store, tmp_path: Path, name: str, payload: bytes, *, seq: int = 2, prev: str | None = None,
          signer: keys.OwnKeys | None = None, sender: dict | None = None, encrypt: bool = True,
          practice: bool = False, body: bytes | None = None) -> Path:
    """A bundle built by the test: the payload as given, signed with the township's key (or another),
    addressed to the county whose open `store` is given."""
    _, real, own, real_sender, _ = world
    with store.read() as s:
        county_key = s.get(OfficeKey, store.office.id)
        logged = s.exec(select(BundleLog.sha256).where(BundleLog.direction == "in", BundleLog.seq == seq - 1)).first()
        prev_hash = prev or logged or manifest.GENESIS
        recipient = {"office_id": store.office.id, "code": store.office.code, "fingerprint": county_key.fingerprint}
        age_recipient = county_key.age_recipient
    if body is None:
        body = pyrage.encrypt(payload, [keys.recipient(age_recipient)]) if encrypt else payload
    body_path = tmp_path / f"{name}.body"
    body_path.write_bytes(body)
    m = {"format": 1, "kind": "upward", "bundle_id": uuid.uuid4().hex, "sender": sender or real_sender,
         "recipient": recipient, "seq": seq, "prev_hash": prev_hash, "created_at": manifest.now_text(),
         "versions": container.read_header(real).manifest["versions"], "practice": practice, "full": True,
         "encryption": "age", "counts": {}, "ciphertext_size": len(body),
         "ciphertext_sha256": hashlib.sha256(body).hexdigest()}
    target = tmp_path / f"{name}.jab"
    container.write(target, m, signer or own, body_path)
    return target


def zip_bytes(entries: list[tuple[str | zipfile.ZipInfo, bytes]], index: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        listed = {}
        for name, data in entries:
            z.writestr(name, data)
            n = name.filename if isinstance(name, zipfile.ZipInfo) else name
            listed[n] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if index:
            z.writestr("index.json", json.dumps({"entries": listed}))
    return buf.getvalue()


def test_forged_bundle_with_good_payload_is_taken(world, county, tmp_path):
    """The forging helper itself works: a well-formed payload signed with the township key passes."""
    path = forge(world, county, tmp_path, "good", zip_bytes([("receipts.json", b"[]")]))
    result = sync.import_one(county, path, dry_run=True)
    assert not result.refused, result


@pytest.mark.parametrize("name, entries, code", [
    ("zip_slip", [("../../evil.txt", b"x")], "payload_bad_name"),
    ("absolute", [("/etc/cron.d/x", b"x")], "payload_bad_name"),
    ("drive_letter", [("C:/Windows/x", b"x")], "payload_bad_name"),
    ("backslash", [("records\\case.jsonl", b"")], "payload_bad_name"),
    ("unknown_name", [("notes.txt", b"x")], "payload_bad_name"),
    ("duplicate", [("receipts.json", b"[]"), ("receipts.json", b"[]")], "payload_duplicate"),
])
def test_hostile_entry_names_are_refused(world, county, tmp_path, name, entries, code):
    with pytest.warns(UserWarning) if name == "duplicate" else contextlib.nullcontext():
        payload = zip_bytes(entries)
    refused(county, forge(world, county, tmp_path, name, payload), code)


def test_symlink_entry_is_refused(world, county, tmp_path):
    link = zipfile.ZipInfo("receipts.json")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused(county, forge(world, county, tmp_path, "symlink", zip_bytes([(link, b"/etc/passwd")])), "payload_link")


def test_compression_bomb_is_refused(world, county, tmp_path):
    zeros = bytes(40 * 1024 * 1024)
    digest = hashlib.sha256(zeros).hexdigest()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"files/{digest}", zeros)
        z.writestr("index.json", json.dumps({"entries": {f"files/{digest}": {"size": len(zeros), "sha256": digest}}}))
    refused(county, forge(world, county, tmp_path, "bomb", buf.getvalue()), "payload_ratio")


def test_caps_on_a_file_on_records_on_a_json_entry_and_on_one_line(world, county, tmp_path, monkeypatch):
    # the bounds of app/sync/limits.py (docs/BUNDLE.md §7b), each lowered so a small bundle reaches it
    data = b"x" * 2000
    digest = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    refused(county, forge(world, county, tmp_path, "file", zip_bytes([(f"files/{digest}", data)])), "payload_too_large")
    monkeypatch.setattr(limits, "MAX_RECORDS", 3)
    township_id = world[3]["office_id"]
    people = b"".join(json.dumps(records.encode("person", Person(owner_office_id=township_id, name=f"人员{i}",
                                                                 person_key=f"k{i}")), default=str).encode() + b"\n"
                      for i in range(5))
    refused(county, forge(world, county, tmp_path, "records", zip_bytes([("records/person.jsonl", people)])),
            "payload_too_many")
    monkeypatch.setattr(limits, "MAX_JSON_BYTES", 1000)
    refused(county, forge(world, county, tmp_path, "json", zip_bytes([("receipts.json", b"[" + b" " * 2000 + b"]")])),
            "payload_too_large")
    monkeypatch.setattr(limits, "MAX_LINE_BYTES", 100)
    line = json.dumps({"name": "甲" * 100}).encode() + b"\n"
    refused(county, forge(world, county, tmp_path, "line", zip_bytes([("records/person.jsonl", line)])), "payload_too_large")


def test_caps_on_count_and_bytes(world, county, tmp_path, monkeypatch):
    entries = [(f"holidays/{2000 + i}.json", b"{}") for i in range(30)]
    monkeypatch.setattr(limits, "MAX_ENTRIES", 20)
    refused(county, forge(world, county, tmp_path, "many", zip_bytes(entries)), "payload_too_many")
    monkeypatch.setattr(limits, "MAX_ENTRIES", 100_000)
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 1000)
    refused(county, forge(world, county, tmp_path, "big", zip_bytes([("receipts.json", b"[" + b" " * 2000 + b"]")])), "payload_too_large")


def test_payload_not_matching_its_index_or_records_is_refused(world, county, tmp_path):
    refused(county, forge(world, county, tmp_path, "noindex", zip_bytes([("receipts.json", b"[]")], index=False)), "payload_no_index")
    row = {"id": "x" * 32}
    refused(county, forge(world, county, tmp_path, "badrecord", zip_bytes([("records/case.jsonl", json.dumps(row).encode())])),
            "record_invalid")
    refused(county, forge(world, county, tmp_path, "notzip", b"this is not a zip archive"), "payload_not_zip")


def test_corrupt_ciphertext_with_valid_signature_fails_decryption(world, county, tmp_path):
    with county.read() as s:
        age_recipient = s.get(OfficeKey, county.office.id).age_recipient
    good = bytearray(pyrage.encrypt(zip_bytes([("receipts.json", b"[]")]), [keys.recipient(age_recipient)]))
    for offset in (3, 60, len(good) // 2, len(good) - 1):
        body = bytearray(good)
        body[offset] ^= 0x80
        refused(county, forge(world, county, tmp_path, f"age{offset}", b"", body=bytes(body)), "decrypt_failed")


def test_unsigned_wrong_key_misaddressed_replayed_and_out_of_chain(world, county, tmp_path):
    chain, bundle, own, sender, run_cli = world
    payload = zip_bytes([("receipts.json", b"[]")])
    # unsigned: the signature bytes are zero
    forged = forge(world, county, tmp_path, "unsigned", payload)
    unsigned = bytearray(forged.read_bytes())
    header = container.read_header(forged)
    start = len(header.signed)
    unsigned[start:start + 64] = bytes(64)
    (tmp_path / "unsigned2.jab").write_bytes(bytes(unsigned))
    refused(county, tmp_path / "unsigned2.jab", "bad_signature")
    # another key claiming the township's keys, and another key carrying its own keys
    stranger = keys.generate()
    refused(county, forge(world, county, tmp_path, "wrongkey", payload, signer=stranger), "bad_signature")
    impostor = {**sender, "sign_public": stranger.public.sign_public, "age_recipient": stranger.public.age_recipient,
                "fingerprint": stranger.public.fingerprint}
    refused(county, forge(world, county, tmp_path, "impostor", payload, signer=stranger, sender=impostor), "key_changed")
    # wrong previous hash, and a sequence number already used by another bundle: a conflict kept as
    # evidence, not a harmless replay (issue 17)
    refused(county, forge(world, county, tmp_path, "badprev", payload, prev="ab" * 32), "chain_broken")
    refused(county, forge(world, county, tmp_path, "reused", payload, seq=1, prev=manifest.GENESIS), "seq_conflict")
    # the township's own bundle taken to the township: not addressed to it
    with opened(chain.township) as township:
        refused(township, bundle, "misaddressed")
    # a set-up package is not a bundle
    package = next(chain.stick.glob("T001_setup.jab"))
    refused(county, package, "setup_package")
    held = {h.reason_code for h in sync.held(county)}
    assert {"bad_signature", "key_changed", "chain_broken", "setup_package", "seq_conflict"} <= held and "replay" not in held


def test_replay_of_an_imported_bundle(world, county, tmp_path):
    chain = world[0]
    first = next(p for p in chain.stick.glob("T001_C01_1.jab"))
    result = refused(county, first, "replay")
    assert "已经导入过" in result.reason


def test_practice_bundles_are_refused(world, county, tmp_path):
    chain, _, _, _, run_cli = world
    with opened(chain.township) as store, store.write() as s:
        s.add(Setting(key="practice_mode", value=True))
    try:
        out = tmp_path / "practice"
        out.mkdir()
        refused_cli = run_cli("--data-dir", chain.township, "export", "--to", "C01", "--out", out)
        assert refused_cli.code != 0
        with opened(chain.township) as store, pytest.raises(InputError) as refused_service:
            sync.export(store, "C01", out)
        assert "练习" in refused_service.value.message
        assert list(out.iterdir()) == []
    finally:
        with opened(chain.township) as store, store.write() as s:
            s.delete(s.get(Setting, "practice_mode"))
    # a bundle marked practice (forged here, since no store will write one) is refused by the county
    forged = forge(world, county, tmp_path, "practice", zip_bytes([("receipts.json", b"[]")]), practice=True)
    refused(county, forged, "practice_bundle")


def test_payload_decrypts_with_the_age_command_line_tool(world, tmp_path):
    # docs/BUNDLE.md §1: an administrator exports the office's identity (`identity --out`) and the
    # standard age tool decrypts a bundle's body with it
    chain, bundle, *_, run = world
    key_file = tmp_path / "county.key"
    done = run("--data-dir", chain.county, "identity", "--out", key_file, "--json")
    assert done.code == 0, done.out + done.err
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = run("--data-dir", chain.county, "identity", "--out", key_file, "--json")
    assert again.code != 0 and "已存在" in again.out + again.err
    header = container.read_header(bundle)
    body = tmp_path / "payload.age"
    body.write_bytes(bundle.read_bytes()[header.body_offset:])
    plain = tmp_path / "payload.zip"
    done = subprocess.run(["age", "--decrypt", "-i", str(key_file), "-o", str(plain), str(body)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(plain) as z:
        names = set(z.namelist())
        assert {"index.json", "records/case.jsonl", "records/audit_event.jsonl"} <= names
        cases = [json.loads(line) for line in z.read("records/case.jsonl").decode().splitlines()]
    assert cases and cases[0]["step_id"] == "county_review"
    assert "records/reporter.jsonl" not in names  # reporter identity stays in the township


def test_every_attachment_this_app_accepts_fits_the_bundle_cap_on_a_file():
    # a 50 MB photo taken here must travel upward: the bound on a received file stays above it
    assert subjects.MAX_ATTACHMENT <= limits.MAX_FILE_BYTES
