"""Local bookkeeping of USB sync (DESIGN §8); these rows never travel in bundles.

Private keys live only here, inside the encrypted store. Quarantined bundles are kept beside the
store (`<data>/quarantine/`), not in it: a refused bundle must leave the store byte-for-byte as it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import new_id, utcnow
from app.storage.rolekeys import RoleSealed


class OfficeKey(SQLModel, table=True):
    """Public keys of one office; for this office also the private ones.

    state: own (this office) / trusted (fingerprint confirmed, or the parent named by the set-up
    package) / pending (seen in a bundle, waiting for the operator to confirm the fingerprint).
    A key change of a trusted office is kept in the pending_* columns until it is confirmed.
    """

    __tablename__ = "office_key"
    office_id: str = Field(primary_key=True, max_length=32)  # no foreign key: an unknown sender's keys wait here
    office_code: str = Field(index=True)
    state: str
    sign_public: str = ""  # Ed25519 public key, hex
    age_recipient: str = ""
    fingerprint: str = ""
    # own office only, sealed to the role key so that only 书记/管理员 can sign or decrypt as the office
    sign_private: str = Field(default="", sa_type=RoleSealed("office_key.sign_private"))  # Ed25519 private key, hex
    age_identity: str = Field(default="", sa_type=RoleSealed("office_key.age_identity"))  # AGE-SECRET-KEY-1…
    pending_sign_public: str = ""
    pending_age_recipient: str = ""
    pending_fingerprint: str = ""
    confirmed_at: datetime | None = None
    confirmed_by: str = ""


class BundleLog(SQLModel, table=True):
    """One bundle written to (direction "out") or taken from (direction "in") a peer office."""

    __tablename__ = "bundle_log"
    __table_args__ = (UniqueConstraint("direction", "peer_office_id", "seq"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    bundle_id: str = Field(unique=True)
    direction: str  # out / in
    peer_office_id: str = Field(index=True)
    kind: str  # upward / downward / statistics
    seq: int
    sha256: str  # of the whole bundle file
    prev_hash: str
    at: datetime = Field(default_factory=utcnow)
    records: int = 0
    files: int = 0
    full: bool = False
    audit_cutoff: int = 0  # out: last own audit seq the bundle covers
    acked: bool = False  # out: the peer's signed receipt has arrived
    acked_at: datetime | None = None
    file_name: str = ""
