"""Office keys: an Ed25519 signing key and an age X25519 identity, and their fingerprint.

The fingerprint is what two operators read to each other over the phone: SHA-256 over both
public keys, shown as six groups of five digits (like Signal's safety numbers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FINGERPRINT_CONTEXT = b"jiantong-office-keys-v1\x00"
FINGERPRINT_GROUPS = 6


@dataclass(frozen=True)
class PublicKeys:
    sign_public: str  # hex, 32 bytes
    age_recipient: str  # age1…

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign_public, self.age_recipient)


@dataclass(frozen=True)
class OwnKeys:
    sign_private: str  # hex, 32 bytes
    age_identity: str  # AGE-SECRET-KEY-1…
    public: PublicKeys

    def sign(self, data: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(self.sign_private)).sign(data)

    def identity(self) -> pyrage.x25519.Identity:
        return pyrage.x25519.Identity.from_str(self.age_identity)


def generate() -> OwnKeys:
    signer = Ed25519PrivateKey.generate()
    identity = pyrage.x25519.Identity.generate()
    public = PublicKeys(signer.public_key().public_bytes_raw().hex(), str(identity.to_public()))
    return OwnKeys(signer.private_bytes_raw().hex(), str(identity), public)


def fingerprint(sign_public: str, age_recipient: str) -> str:
    digest = hashlib.sha256(FINGERPRINT_CONTEXT + bytes.fromhex(sign_public) + age_recipient.encode("ascii")).digest()
    groups = [int.from_bytes(digest[i * 5:(i + 1) * 5], "big") % 100_000 for i in range(FINGERPRINT_GROUPS)]
    return " ".join(f"{g:05d}" for g in groups)


def normalize_fingerprint(text: str) -> str:
    """Digits as typed (spaces, dashes or none) in the shown form; "" when it cannot be one."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != FINGERPRINT_GROUPS * 5 or any(c not in "0123456789 -" for c in text.strip()):
        return ""
    return " ".join(digits[i:i + 5] for i in range(0, len(digits), 5))


def valid_public(sign_public: object, age_recipient: object) -> bool:
    if not isinstance(sign_public, str) or not isinstance(age_recipient, str):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sign_public))
        pyrage.x25519.Recipient.from_str(age_recipient)
    except (ValueError, pyrage.RecipientError):
        return False
    return True


def verify(sign_public: str, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sign_public)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def recipient(age_recipient: str) -> pyrage.x25519.Recipient:
    return pyrage.x25519.Recipient.from_str(age_recipient)
