"""What an administrator asks first: what store is this, and is it intact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table for the counts)
from app.storage import audit, keyslots, schema
from app.storage.store import Store

TEST_STORE_LABEL = "测试库"


def is_test_store(store: Store) -> bool:
    """The store was made with the fast key profile for tests (测试库); read from the MAC-covered slot file."""
    try:
        return keyslots.load(store.paths).test_store
    except Exception:  # noqa: BLE001 - a damaged slot file is reported by unlock, not by a label
        return False


@dataclass(frozen=True)
class VerifyReport:
    cipher_integrity: str
    audit_chain: str
    events: int
    broken_seq: int | None

    @property
    def ok(self) -> bool:
        return self.cipher_integrity == "ok" and self.audit_chain == "ok"


def status(store: Store) -> dict:
    slots = keyslots.load(store.paths)
    with store.read() as s:
        cipher_version = s.execute(text("PRAGMA cipher_version")).scalar()
        counts = {
            name: s.execute(select(func.count()).select_from(table)).scalar()
            for name, table in sorted(SQLModel.metadata.tables.items())
        }
    return {
        "office": {"code": store.office.code, "name": store.office.name, "id": store.office.id},
        "level": store.office.level,
        "parent": store.office.parent_code,
        "store_path": str(store.paths.db),
        "schema_version": schema.current_revision(store.engine),
        "cipher_version": cipher_version,
        "cipher": "SQLCipher 4, raw 256-bit key, cipher_compatibility=4",
        "kdf": [
            {"slot": slot.id, "profile": slot.params.profile, "memory_kib": slot.params.memory_kib,
             "iterations": slot.params.iterations, "lanes": slot.params.lanes, "weak": slot.params.weak,
             "role_key": slot.has_role_key}
            for slot in slots.slots
        ],
        # made with `--kdf fast --test-store`: passwords are cheap to guess, never for real data
        "test_store": slots.test_store,
        "test_store_label": TEST_STORE_LABEL if slots.test_store else "",
        "keyslots_authenticated": keyslots.authentic(slots, store.master_key) is True,
        "role_keys": store.engine.role_keys.public is not None,
        "records": counts,
    }


def verify(store: Store) -> VerifyReport:
    problems = schema.cipher_integrity(store.engine)
    with store.read() as s:
        chain = audit.verify_chain(s)
    cipher = "ok" if not problems else "; ".join(problems[:5])
    chain_text = "ok" if chain.all_ok else chain.reason  # received chains reported too, naming their office
    return VerifyReport(cipher, chain_text, chain.events, chain.broken_seq)
