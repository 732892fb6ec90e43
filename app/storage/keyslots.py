"""Key slots: the store's random master key wrapped once per account and once for recovery.

`keyslots.json` (plaintext, no secrets in clear) holds, per slot, the Argon2id parameters and the
master key sealed with AES-256-GCM under the derived key; the AAD binds store id and slot id so a
slot cannot be moved to another store or another account. A second copy guards against a damaged
file. Changing a password rewraps one slot and never touches the database. Format: docs/STORAGE.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import AuthError, StoreError
from app.paths import StorePaths
from app.storage import kdf
from app.storage.atomic import atomic_write_bytes

FORMAT = "jiantong-keyslots"
FORMAT_VERSION = 1
RECOVERY_SLOT = "recovery"
KEY_CHECK_LABEL = b"jiantong key check v1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def slot_aad(store_id: str, slot_id: str) -> bytes:
    return f"jiantong-keyslot|{store_id}|{slot_id}".encode()


def key_check(master_key: bytes) -> str:
    return hmac.new(master_key, KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


def account_slot_id(account_name: str) -> str:
    return f"account:{account_name}"


@dataclass(frozen=True)
class Slot:
    id: str
    kind: str  # "password" or "recovery"
    params: kdf.KdfParams
    nonce: bytes
    sealed_key: bytes

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "kdf": self.params.to_json(),
            "nonce": b64(self.nonce),
            "sealed_key": b64(self.sealed_key),
        }

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        return cls(
            id=str(data["id"]),
            kind=str(data["kind"]),
            params=kdf.KdfParams.from_json(data["kdf"]),
            nonce=unb64(data["nonce"]),
            sealed_key=unb64(data["sealed_key"]),
        )


@dataclass(frozen=True)
class KeySlots:
    store_id: str
    key_check: str
    slots: tuple[Slot, ...] = field(default_factory=tuple)
    recovered_from_copy: bool = False

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "store_id": self.store_id,
            "cipher": {"sqlcipher_key": "raw", "cipher_compatibility": 4},
            "key_check": self.key_check,
            "slots": [s.to_json() for s in self.slots],
        }

    def find(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def with_slot(self, slot: Slot) -> KeySlots:
        kept = tuple(s for s in self.slots if s.id != slot.id)
        return replace(self, slots=kept + (slot,))

    def without_slot(self, slot_id: str) -> KeySlots:
        return replace(self, slots=tuple(s for s in self.slots if s.id != slot_id))


def seal(master_key: bytes, store_id: str, slot_id: str, kind: str, secret: bytes, params: kdf.KdfParams) -> Slot:
    wrapping_key = kdf.derive(secret, params)
    nonce = os.urandom(12)
    sealed = AESGCM(wrapping_key).encrypt(nonce, master_key, slot_aad(store_id, slot_id))
    return Slot(slot_id, kind, params, nonce, sealed)


def open_slot(slots: KeySlots, slot: Slot, secret: bytes) -> bytes | None:
    """The master key if `secret` opens the slot, else None."""
    wrapping_key = kdf.derive(secret, slot.params)
    try:
        master = AESGCM(wrapping_key).decrypt(slot.nonce, slot.sealed_key, slot_aad(slots.store_id, slot.id))
    except InvalidTag:
        return None
    if not hmac.compare_digest(key_check(master), slots.key_check):
        raise StoreError("key_check_mismatch", "密钥槽与此数据库不匹配（密钥校验值不符），请确认 keyslots.json 属于这个数据目录。")
    return master


def parse(raw: bytes) -> KeySlots:
    data = json.loads(raw.decode("utf-8"))
    if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
        raise ValueError("not a key slot file")
    return KeySlots(
        store_id=str(data["store_id"]),
        key_check=str(data["key_check"]),
        slots=tuple(Slot.from_json(s) for s in data["slots"]),
    )


def load(paths: StorePaths) -> KeySlots:
    """Read the slots, falling back to the second copy when the first is missing or damaged."""
    problems = []
    for index, path in enumerate((paths.keyslots, paths.keyslots_copy)):
        try:
            slots = parse(path.read_bytes())
        except FileNotFoundError:
            problems.append(path)
            continue
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            problems.append(path)
            continue
        return replace(slots, recovered_from_copy=index == 1)
    if not paths.db.exists() and not any(p.exists() for p in problems):
        raise StoreError("no_store", f"数据目录“{paths.root}”中没有纪案通数据库，请先完成初始设置（init）。")
    raise StoreError(
        "keyslots_damaged",
        "密钥槽文件 keyslots.json 及其副本均已损坏或缺失，无法解锁。请从备份恢复，或按 docs/STORAGE.md 用原始密钥打开。",
    )


def save(paths: StorePaths, slots: KeySlots) -> None:
    """Write both copies atomically, one after the other, so one good copy always exists."""
    raw = json.dumps(slots.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
    atomic_write_bytes(paths.keyslots, raw)
    atomic_write_bytes(paths.keyslots_copy, raw)


def unlock_slot(slots: KeySlots, slot_id: str, secret: bytes) -> bytes:
    slot = slots.find(slot_id)
    master = open_slot(slots, slot, secret) if slot else None
    if master is None:
        raise AuthError("wrong_password", "账户名或密码不正确。")
    return master
