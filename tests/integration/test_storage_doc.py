"""docs/STORAGE.md followed literally, with plain cryptography + sqlcipher3 (no app code reads the files;
the app only makes the store). §3a both ways: an administrator's slot reads reporter identity and the
office's private keys; a 工作人员 slot opens the database but not them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.integration.conftest import PASSWORD


def slot_plain(slots: dict, slot: dict, secret: bytes) -> bytes:
    """§3 steps 2–4: wrapping key, the slot's private key, its envelope."""
    k = slot["kdf"]
    assert k["name"] == "argon2id"
    wrapping = Argon2id(salt=base64.b64decode(k["salt"]), length=32, iterations=k["iterations"],
                        lanes=k["lanes"], memory_cost=k["memory_kib"]).derive(secret)
    aad = f"jiantong-keyslot|{slots['store_id']}|{slot['id']}".encode()
    slot_private = AESGCM(wrapping).decrypt(base64.b64decode(slot["nonce"]), base64.b64decode(slot["sealed_key"]), aad)
    env = base64.b64decode(slot["envelope"])
    eph, nonce, sealed = env[:32], env[32:44], env[44:]
    shared = X25519PrivateKey.from_private_bytes(slot_private).exchange(X25519PublicKey.from_public_bytes(eph))
    key = HKDF(hashes.SHA256(), 32, eph + bytes.fromhex(slot["public"]), b"jiantong slot envelope v1").derive(shared)
    return AESGCM(key).decrypt(nonce, sealed, f"jiantong-envelope|{slots['store_id']}|{slot['id']}".encode())


def master_from_slot(slots: dict, slot: dict, secret: bytes) -> bytes:
    return slot_plain(slots, slot, secret)[:32]


def read_office(db, master: bytes):
    conn = sqlcipher.connect(str(db))
    conn.execute(f"PRAGMA key = \"x'{master.hex()}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    try:
        return conn.execute("SELECT code, name FROM office").fetchall()
    finally:
        conn.close()


def test_password_slot_opens_store_without_app_code(township):
    slots = json.loads((township / "keyslots.json").read_text(encoding="utf-8"))
    assert slots["format"] == "jiantong-keyslots" and slots["version"] == 1
    slot = next(s for s in slots["slots"] if s["id"] == "account:张书记")
    master = master_from_slot(slots, slot, PASSWORD.encode("utf-8"))
    check = hmac.new(master, b"jiantong key check v2", hashlib.sha256).hexdigest()[:16]
    assert check == slots["key_check"]
    # §3 integrity: the MAC over the rest of the file, under a key derived from the master key
    mac_key = HKDF(hashes.SHA256(), 32, None, b"jiantong keyslots mac v1").derive(master)
    body = json.dumps({k: v for k, v in slots.items() if k != "mac"}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")
    assert hmac.new(mac_key, body, hashlib.sha256).hexdigest() == slots["mac"]
    assert read_office(township / "store.db", master) == [("T001", "青石镇纪委")]


def test_recovery_slot_opens_store_without_app_code(township):
    slots = json.loads((township / "keyslots.json").read_text(encoding="utf-8"))
    code = (township / "recovery.txt").read_text().replace("-", "")
    assert len(code) == 48
    slot = next(s for s in slots["slots"] if s["id"] == "recovery")
    master = master_from_slot(slots, slot, code.encode("ascii"))
    assert read_office(township / "store.db", master) == [("T001", "青石镇纪委")]


def test_audit_chain_as_documented(township):
    slots = json.loads((township / "keyslots.json").read_text(encoding="utf-8"))
    slot = next(s for s in slots["slots"] if s["kind"] == "password")
    master = master_from_slot(slots, slot, PASSWORD.encode())
    conn = sqlcipher.connect(str(township / "store.db"))
    conn.execute(f"PRAGMA key = \"x'{master.hex()}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    rows = conn.execute("SELECT seq, at, account, action, entity, summary, prev_hash, hash FROM audit_event ORDER BY seq").fetchall()
    conn.close()
    prev = "0" * 64
    for seq, at, account, action, entity, summary, prev_hash, digest in rows:
        payload = json.dumps([seq, at, account, action, entity, summary], ensure_ascii=False, separators=(",", ":"))
        assert prev_hash == prev
        assert hashlib.sha256(f"{prev}|{payload}".encode()).hexdigest() == digest
        prev = digest
    assert len(rows) >= 2


# --- §3a: the role key, both halves ------------------------------------------------------

REPORTER = {"name": "举报人标记QZ", "phone": "17700054321", "id_number": "11010519491231002X", "address": "标记路QZ9号"}
STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"


def role_key_from_slot(slots: dict, slot: dict, secret: bytes) -> bytes:
    plain = slot_plain(slots, slot, secret)
    assert len(plain) == 64  # administrator and recovery slots only
    return plain[32:]


def open_sealed(role_private: bytes, role_public: bytes, label: str, value: str) -> str:
    assert value.startswith("jrk1:")
    raw = base64.b64decode(value[len("jrk1:"):])
    eph, nonce, sealed = raw[:32], raw[32:44], raw[44:]
    shared = X25519PrivateKey.from_private_bytes(role_private).exchange(X25519PublicKey.from_public_bytes(eph))
    k = HKDF(hashes.SHA256(), 32, eph + role_public, b"jiantong role key v1").derive(shared)
    return AESGCM(k).decrypt(nonce, sealed, f"jiantong-role|{label}".encode()).decode("utf-8")


def connect(db, master: bytes):
    conn = sqlcipher.connect(str(db))
    conn.execute(f"PRAGMA key = \"x'{master.hex()}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    return conn


@pytest.fixture
def with_reporter_and_staff(township):
    """The administrator records a reporter and adds a 工作人员 account (through the app); the store is closed."""
    from app.paths import store_paths
    from app.services import accounts, cases, unlock
    from tests.integration.test_case_paths import CLUE

    store = unlock.unlock(store_paths(township), "张书记", PASSWORD).store
    try:
        cases.register_clue(store, {**CLUE, "reporter": {**REPORTER, "real_name": True}})
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
    finally:
        store.close()
    return township


def every_text_cell(conn) -> list[str]:
    out = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
            out += [v for v in row if isinstance(v, str)] + [v.decode("utf-8", "replace") for v in row if isinstance(v, bytes)]
    return out


def test_an_administrator_reads_reporter_and_private_keys_with_standard_tools(with_reporter_and_staff):
    data = with_reporter_and_staff
    slots = json.loads((data / "keyslots.json").read_text(encoding="utf-8"))
    slot = next(s for s in slots["slots"] if s["id"] == "account:张书记")
    master = master_from_slot(slots, slot, PASSWORD.encode("utf-8"))
    role_private = role_key_from_slot(slots, slot, PASSWORD.encode("utf-8"))
    conn = connect(data / "store.db", master)
    try:
        role_public = bytes.fromhex(json.loads(conn.execute("SELECT value FROM setting WHERE key = 'role_public_key'").fetchone()[0]))
        row = conn.execute("SELECT name, phone, id_number, address FROM reporter").fetchone()
        sign_private, age_identity, sign_public = conn.execute(
            "SELECT sign_private, age_identity, sign_public FROM office_key WHERE state = 'own'").fetchone()
    finally:
        conn.close()
    opened = {f: open_sealed(role_private, role_public, f"reporter.{f}", v)
              for f, v in zip(("name", "phone", "id_number", "address"), row, strict=True)}
    assert opened == REPORTER
    # the private keys work: the signing key is the one whose public half the office publishes
    seed = bytes.fromhex(open_sealed(role_private, role_public, "office_key.sign_private", sign_private))
    assert Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw().hex() == sign_public
    assert open_sealed(role_private, role_public, "office_key.age_identity", age_identity).startswith("AGE-SECRET-KEY-1")
    # the recovery slot carries the role key too
    code = (data / "recovery.txt").read_text().replace("-", "").encode("ascii")
    recovery = next(s for s in slots["slots"] if s["id"] == "recovery")
    assert role_key_from_slot(slots, recovery, code) == role_private


def test_a_staff_password_opens_the_store_but_reveals_no_reporter_and_no_private_key(with_reporter_and_staff):
    data = with_reporter_and_staff
    slots = json.loads((data / "keyslots.json").read_text(encoding="utf-8"))
    staff = next(s for s in slots["slots"] if s["id"] == f"account:{STAFF}")
    assert len(slot_plain(slots, staff, STAFF_PASSWORD.encode("utf-8"))) == 32  # the master key, nothing more
    master = master_from_slot(slots, staff, STAFF_PASSWORD.encode("utf-8"))
    conn = connect(data / "store.db", master)
    try:
        assert conn.execute("SELECT code FROM office").fetchall() == [("T001",)]  # the case store opens
        row = conn.execute("SELECT name, phone, id_number, address FROM reporter").fetchone()
        keys = conn.execute("SELECT sign_private, age_identity FROM office_key WHERE state = 'own'").fetchone()
        cells = every_text_cell(conn)
        # the whole database decrypted into a plain SQLite file, as `sqlcipher` users do
        plain = data.parent / "plain.db"
        conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    dump = plain.read_bytes()
    assert b"T001" in dump  # the export really is plain
    assert all(v.startswith("jrk1:") for v in (*row, *keys))
    for marker in REPORTER.values():
        assert not any(marker in c for c in cells)
        assert marker.encode("utf-8") not in dump and marker.encode("utf-16-le") not in dump
    assert not any("AGE-SECRET-KEY" in c.upper() for c in cells) and b"AGE-SECRET-KEY" not in dump.upper()
    # and no key in the database opens them: not the master key, not anything stored in a setting
    candidates = [master] + [bytes.fromhex(c) for c in cells if len(c) == 64 and all(x in "0123456789abcdef" for x in c)]
    conn = connect(data / "store.db", master)
    try:
        role_public = bytes.fromhex(json.loads(conn.execute("SELECT value FROM setting WHERE key = 'role_public_key'").fetchone()[0]))
    finally:
        conn.close()
    for candidate in candidates:
        with pytest.raises(InvalidTag):
            open_sealed(candidate, role_public, "reporter.phone", row[1])


def test_the_example_in_section_7_runs_as_printed(with_reporter_and_staff):
    """The doc's own Python, copied out of docs/STORAGE.md, run beside the files (password filled in)."""
    import subprocess
    import sys
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "STORAGE.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 7. Example"):]
    code = section[section.index("```python") + len("```python"):section.index("```", section.index("```python") + 9)]
    code = code.replace('"密码".encode()', f'"{PASSWORD}".encode()')
    done = subprocess.run([sys.executable, "-c", code], cwd=with_reporter_and_staff, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "T001" in done.stdout and REPORTER["phone"] in done.stdout
