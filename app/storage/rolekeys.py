"""The role key: what only 书记/管理员 may read, sealed so that a staff password cannot reveal it.

Every account's slot unwraps the master key, so anyone with a password can open `store.db` with
standard tools. Reporter identities and the office's private keys are therefore sealed a second
time, to an X25519 *role key*: its public half sits in the database (setting `role_public_key`),
so every account — staff too — can record a reporter; its private half is wrapped only in the
administrator slots and the recovery slot of `keyslots.json`. A staff session never holds it.

Sealed value (text column): `jrk1:` + base64(ephemeral public key 32 ‖ nonce 12 ‖ AES-256-GCM
ciphertext‖tag), key = HKDF-SHA256(X25519(ephemeral, role public), salt = ephemeral public ‖ role
public, info = `jiantong role key v1`), AAD = `jiantong-role|<table>.<column>`. Format in
docs/STORAGE.md §3a.

The sealing runs inside SQLite as two SQL functions registered on every connection of the store
(`jt_seal`, `jt_open`), bound to the columns through `RoleSealed`; ORM and Core statements — the
services, sync's row export and import — therefore see plain values in an administrator's session
without knowing about it. In a staff session `jt_open` hands back the ciphertext unchanged: a copy
of a row (a transfer taken over) stays sealed, and nothing readable ever reaches staff code.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String, func, literal
from sqlalchemy.types import TypeDecorator

PREFIX = "jrk1:"
INFO = b"jiantong role key v1"
PUBLIC_SETTING = "role_public_key"
UNREADABLE = "（无法解密）"


def generate() -> bytes:
    """A new role private key (32 raw bytes)."""
    return os.urandom(32)


def public_of(private: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _value_key(shared: bytes, ephemeral_public: bytes, role_public: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, ephemeral_public + role_public, INFO).derive(shared)


def _aad(label: str) -> bytes:
    return f"jiantong-role|{label}".encode()


def is_sealed(value) -> bool:
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return False
    try:
        raw = base64.b64decode(value[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= 32 + 12 + 16


def seal_value(role_public: bytes, label: str, text: str) -> str:
    from cryptography.hazmat.primitives import serialization

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(role_public))
    nonce = os.urandom(12)
    sealed = AESGCM(_value_key(shared, ephemeral_public, role_public)).encrypt(nonce, text.encode("utf-8"), _aad(label))
    return PREFIX + base64.b64encode(ephemeral_public + nonce + sealed).decode()


def open_value(role_private: bytes, label: str, value: str) -> str:
    """The plain text; raises ValueError when the value was not sealed to this key for this column."""
    raw = base64.b64decode(value[len(PREFIX):], validate=True)
    ephemeral_public, nonce, sealed = raw[:32], raw[32:44], raw[44:]
    private = X25519PrivateKey.from_private_bytes(role_private)
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    try:
        plain = AESGCM(_value_key(shared, ephemeral_public, public_of(role_private))).decrypt(nonce, sealed, _aad(label))
    except InvalidTag as exc:
        raise ValueError("not sealed to this role key") from exc
    return plain.decode("utf-8")


@dataclass
class RoleKeys:
    """Held by one store's engine; every pooled connection's SQL functions read it at call time.

    `public` is None for a store made before role keys existed: values then stay as they are.
    `private` is set only while an administrator (or the recovery code) unlocked the store, or
    for the length of an administrator's confirmation in a staff session.
    """

    public: bytes | None = None
    private: bytes | None = None

    def seal(self, value, label):
        if value is None or value == "" or self.public is None or is_sealed(value):
            # already sealed (a copied row, a staff session passing a value through): kept as it is
            return value
        return seal_value(self.public, label, str(value))

    def open(self, value, label):
        if not is_sealed(value):
            return value  # empty, or a store made before role keys
        if self.private is None:
            return value  # a staff session: the ciphertext, which it cannot read
        try:
            return open_value(self.private, label, value)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            return UNREADABLE

    def forget(self) -> None:
        self.private = None


def register(dbapi_conn, holder: RoleKeys) -> None:
    dbapi_conn.create_function("jt_seal", 2, holder.seal)
    dbapi_conn.create_function("jt_open", 2, holder.open)


class RoleSealed(TypeDecorator):
    """A text column sealed to the role key (see the module doc); `label` is `<table>.<column>`."""

    impl = String
    cache_ok = True

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def bind_expression(self, bindvalue):
        return func.jt_seal(bindvalue, literal(self.label), type_=String)

    def column_expression(self, column):
        return func.jt_open(column, literal(self.label), type_=String)
