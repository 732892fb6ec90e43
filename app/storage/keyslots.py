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


def role_aad(store_id: str, slot_id: str) -> bytes:
    return f"jiantong-rolekey|{store_id}|{slot_id}".encode()


KEY_CHECK_LABEL_MAC = b"jiantong key check v2"


def key_check(master_key: bytes, *, with_mac: bool = True) -> str:
    """v2 for files that carry a MAC, v1 for those written before it. Stripping the MAC from a file
    therefore breaks its key check: only the master key's holder can make a v1 value."""
    label = KEY_CHECK_LABEL_MAC if with_mac else KEY_CHECK_LABEL
    return hmac.new(master_key, label, hashlib.sha256).hexdigest()[:16]


def account_slot_id(account_name: str) -> str:
    return f"account:{account_name}"


@dataclass(frozen=True)
class Slot:
    id: str
    kind: str  # "password" or "recovery"
    params: kdf.KdfParams
    nonce: bytes
    sealed_key: bytes
    # the slot's own X25519 key pair: `sealed_key` holds its private half under the wrapping key, and
    # `envelope` holds the master key (and, for administrator and recovery slots, the role key)
    # sealed to its public half — so re-keying can rewrap every slot without knowing any password.
    # A slot written before envelopes (`envelope` empty) holds the master key in `sealed_key` itself.
    public: bytes = b""
    envelope: bytes = b""
    role_nonce: bytes = b""  # only in slots written before envelopes
    sealed_role_key: bytes = b""

    @property
    def has_envelope(self) -> bool:
        return bool(self.envelope)

    @property
    def has_role_key(self) -> bool:
        return bool(self.sealed_role_key) or len(self.envelope) == ENVELOPE_OVERHEAD + 64

    def to_json(self) -> dict:
        data = {
            "id": self.id,
            "kind": self.kind,
            "kdf": self.params.to_json(),
            "nonce": b64(self.nonce),
            "sealed_key": b64(self.sealed_key),
        }
        if self.has_envelope:
            data["public"] = self.public.hex()
            data["envelope"] = b64(self.envelope)
        elif self.sealed_role_key:
            data["role_nonce"] = b64(self.role_nonce)
            data["sealed_role_key"] = b64(self.sealed_role_key)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        return cls(
            id=str(data["id"]),
            kind=str(data["kind"]),
            params=kdf.KdfParams.from_json(data["kdf"]),
            nonce=unb64(data["nonce"]),
            sealed_key=unb64(data["sealed_key"]),
            public=bytes.fromhex(data["public"]) if "envelope" in data else b"",
            envelope=unb64(data["envelope"]) if "envelope" in data else b"",
            role_nonce=unb64(data["role_nonce"]) if "sealed_role_key" in data else b"",
            sealed_role_key=unb64(data["sealed_role_key"]) if "sealed_role_key" in data else b"",
        )


@dataclass(frozen=True)
class KeySlots:
    store_id: str
    key_check: str
    slots: tuple[Slot, ...] = field(default_factory=tuple)
    recovered_from_copy: bool = False
    test_store: bool = False  # made with the fast KDF for tests (测试库); covered by the MAC
    # as read: the MAC and the bytes it covers (None for a file written before the MAC existed)
    mac: str | None = field(default=None, compare=False)
    body: bytes = field(default=b"", compare=False, repr=False)
    rejected: tuple[str, ...] = ()  # ids of slots whose KDF parameters are out of bounds: never tried

    def to_json(self) -> dict:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "store_id": self.store_id,
            "cipher": {"sqlcipher_key": "raw", "cipher_compatibility": 4},
            "key_check": self.key_check,
            "slots": [s.to_json() for s in self.slots],
        }
        if self.test_store:
            data["test_store"] = True
        return data

    def find(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def with_slot(self, slot: Slot) -> KeySlots:
        kept = tuple(s for s in self.slots if s.id != slot.id)
        return replace(self, slots=kept + (slot,))

    def without_slot(self, slot_id: str) -> KeySlots:
        return replace(self, slots=tuple(s for s in self.slots if s.id != slot_id))


# --- authenticity: a MAC under a key only the master key gives -----------------------------

MAC_INFO = b"jiantong keyslots mac v1"


def mac_key(master_key: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, None, MAC_INFO).derive(master_key)


def mac_body(data: dict) -> bytes:
    """What the MAC covers: the whole file but `mac`, as sorted compact JSON (docs/STORAGE.md §3)."""
    return json.dumps({k: v for k, v in data.items() if k != "mac"}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def compute_mac(master_key: bytes, body: bytes) -> str:
    return hmac.new(mac_key(master_key), body, hashlib.sha256).hexdigest()


def authentic(slots: KeySlots, master_key: bytes) -> bool | None:
    """True/False for a file with a MAC; None for one written before the MAC existed."""
    if slots.mac is None:
        return None
    return hmac.compare_digest(compute_mac(master_key, slots.body), slots.mac)


ENVELOPE_INFO = b"jiantong slot envelope v1"
ENVELOPE_OVERHEAD = 32 + 12 + 16  # ephemeral public key, nonce, GCM tag


def envelope_aad(store_id: str, slot_id: str) -> bytes:
    return f"jiantong-envelope|{store_id}|{slot_id}".encode()


def _raw_public(private_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _envelope_key(shared: bytes, ephemeral_public: bytes, slot_public: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, ephemeral_public + slot_public, ENVELOPE_INFO).derive(shared)


def make_envelope(slot_public: bytes, store_id: str, slot_id: str, master_key: bytes, role_key: bytes | None) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(slot_public))
    nonce = os.urandom(12)
    sealed = AESGCM(_envelope_key(shared, ephemeral_public, slot_public)).encrypt(
        nonce, master_key + (role_key or b""), envelope_aad(store_id, slot_id))
    return ephemeral_public + nonce + sealed


def open_envelope(slot_private: bytes, store_id: str, slot: Slot) -> tuple[bytes, bytes | None]:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    ephemeral_public, nonce, sealed = slot.envelope[:32], slot.envelope[32:44], slot.envelope[44:]
    shared = X25519PrivateKey.from_private_bytes(slot_private).exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    plain = AESGCM(_envelope_key(shared, ephemeral_public, slot.public)).decrypt(nonce, sealed, envelope_aad(store_id, slot.id))
    return plain[:32], (plain[32:64] if len(plain) >= 64 else None)


def seal(master_key: bytes, store_id: str, slot_id: str, kind: str, secret: bytes, params: kdf.KdfParams,
         role_key: bytes | None = None) -> Slot:
    """A slot for `secret`; `role_key` is given only for administrator and recovery slots."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    wrapping_key = kdf.derive(secret, params)
    slot_private = X25519PrivateKey.generate()
    raw_private = slot_private.private_bytes_raw()
    public = _raw_public(slot_private)
    nonce = os.urandom(12)
    sealed = AESGCM(wrapping_key).encrypt(nonce, raw_private, slot_aad(store_id, slot_id))
    return Slot(slot_id, kind, params, nonce, sealed, public,
                make_envelope(public, store_id, slot_id, master_key, role_key))


def rewrap(slot: Slot, store_id: str, master_key: bytes, role_key: bytes | None) -> Slot:
    """The same slot (same password, same key pair) holding new keys: needs no password."""
    if not slot.has_envelope:
        raise StoreError("slot_needs_upgrade", f"密钥槽“{slot.id}”是旧版本格式，需要该账户先用自己的密码登录一次。")
    return replace(slot, envelope=make_envelope(slot.public, store_id, slot.id, master_key, role_key))


@dataclass(frozen=True)
class Opened:
    master: bytes
    role_key: bytes | None  # None for a staff slot, or a store made before role keys


def open_slot_keys(slots: KeySlots, slot: Slot, secret: bytes) -> Opened | None:
    """Both keys if `secret` opens the slot, else None."""
    wrapping_key = kdf.derive(secret, slot.params)
    aad = slot_aad(slots.store_id, slot.id)
    try:
        if slot.has_envelope:
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

            slot_private = AESGCM(wrapping_key).decrypt(slot.nonce, slot.sealed_key, aad)
            if _raw_public(X25519PrivateKey.from_private_bytes(slot_private)) != slot.public:
                return None
            master, role = open_envelope(slot_private, slots.store_id, slot)
        else:  # written before envelopes
            master = AESGCM(wrapping_key).decrypt(slot.nonce, slot.sealed_key, aad)
            role = (AESGCM(wrapping_key).decrypt(slot.role_nonce, slot.sealed_role_key, role_aad(slots.store_id, slot.id))
                    if slot.sealed_role_key else None)
    except InvalidTag:
        return None
    if not hmac.compare_digest(key_check(master, with_mac=slots.mac is not None), slots.key_check):
        raise StoreError("key_check_mismatch", "密钥槽与此数据库不匹配（密钥校验值不符），请确认 keyslots.json 属于这个数据目录。")
    return Opened(master, role)


def open_slot(slots: KeySlots, slot: Slot, secret: bytes) -> bytes | None:
    """The master key if `secret` opens the slot, else None."""
    opened = open_slot_keys(slots, slot, secret)
    return opened.master if opened else None


def parse(raw: bytes) -> KeySlots:
    data = json.loads(raw.decode("utf-8"))
    if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
        raise ValueError("not a key slot file")
    slots, rejected = [], []
    for entry in data["slots"]:
        try:
            slots.append(Slot.from_json(entry))
        except kdf.KdfBoundsError:
            # kept out of reach instead of failing the file: one planted slot must not lock out every account
            rejected.append(str(entry.get("id", "")))
    mac = data.get("mac")
    if mac is not None and not isinstance(mac, str):
        raise ValueError("mac")
    return KeySlots(
        store_id=str(data["store_id"]),
        key_check=str(data["key_check"]),
        slots=tuple(slots),
        test_store=data.get("test_store") is True,
        mac=mac,
        body=mac_body(data),
        rejected=tuple(rejected),
    )


def read_copy(paths: StorePaths) -> KeySlots | None:
    """The second copy alone, or None when it is missing or unreadable."""
    try:
        return replace(parse(paths.keyslots_copy.read_bytes()), recovered_from_copy=True)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


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


def load_authentic(paths: StorePaths, master_key: bytes) -> KeySlots:
    """The slots for a change made in an open store: the first file that carries a valid MAC (or
    none yet, from before the MAC); a change is never written on top of a tampered file."""
    first = load(paths)
    if authentic(first, master_key) is not False:
        return first
    copy = read_copy(paths)
    if copy is not None and authentic(copy, master_key):
        return copy
    raise StoreError("keyslots_tampered", "密钥槽文件 keyslots.json 及其副本都未通过完整性校验，可能被人改动过。"
                                          "操作未进行，数据未改动。请检查谁动过数据目录，必要时从备份恢复。")


def serialise(slots: KeySlots, master_key: bytes) -> bytes:
    data = replace(slots, key_check=key_check(master_key)).to_json()
    data["mac"] = compute_mac(master_key, mac_body(data))
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def save(paths: StorePaths, slots: KeySlots, master_key: bytes) -> None:
    """Write both copies atomically, one after the other, so one good copy always exists.

    The master key is needed for the MAC: only someone who unlocked the store can write a file
    that the next unlock accepts as genuine.
    """
    raw = serialise(slots, master_key)
    atomic_write_bytes(paths.keyslots, raw)
    atomic_write_bytes(paths.keyslots_copy, raw)


def unlock_slot(slots: KeySlots, slot_id: str, secret: bytes) -> bytes:
    return unlock_slot_keys(slots, slot_id, secret).master


def unlock_slot_keys(slots: KeySlots, slot_id: str, secret: bytes) -> Opened:
    if slot_id in slots.rejected:
        raise StoreError("slot_out_of_bounds", "此账户的密钥槽参数超出允许范围，可能被人改动过；未尝试密码，数据未改动。"
                                               "请用恢复密钥重设密码，或从备份恢复。")
    slot = slots.find(slot_id)
    opened = open_slot_keys(slots, slot, secret) if slot else None
    if opened is None:
        raise AuthError("wrong_password", "账户名或密码不正确。")
    return opened
