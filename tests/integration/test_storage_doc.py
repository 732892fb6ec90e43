"""docs/STORAGE.md followed literally, with plain cryptography + sqlcipher3 (no app code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import sqlcipher3.dbapi2 as sqlcipher
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from tests.integration.conftest import PASSWORD


def master_from_slot(slots: dict, slot: dict, secret: bytes) -> bytes:
    k = slot["kdf"]
    assert k["name"] == "argon2id"
    wrapping = Argon2id(salt=base64.b64decode(k["salt"]), length=32, iterations=k["iterations"],
                        lanes=k["lanes"], memory_cost=k["memory_kib"]).derive(secret)
    aad = f"jiantong-keyslot|{slots['store_id']}|{slot['id']}".encode()
    return AESGCM(wrapping).decrypt(base64.b64decode(slot["nonce"]), base64.b64decode(slot["sealed_key"]), aad)


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
    check = hmac.new(master, b"jiantong key check v1", hashlib.sha256).hexdigest()[:16]
    assert check == slots["key_check"]
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
