"""`--self-test`: prove on this PC that the store, the crypto and the audit chain work."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlmodel import select

from app.models import Setting
from app.paths import store_paths
from app.services import setup, status, unlock


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="jiantong-selftest-") as tmp:
        paths = store_paths(Path(tmp))
        password = "selftest2026"
        setup.create_store(paths, setup.SetupRequest("SELFTEST", "自检单位", "city", "自检", password, kdf_profile="fast"))
        store = unlock.unlock(paths, None, password).store
        try:
            with store.write() as s:
                s.add(Setting(key="self_test_marker", value="纪案通自检"))
            with store.read() as s:
                marker = s.exec(select(Setting).where(Setting.key == "self_test_marker")).one().value
            report = status.verify(store)
            info = status.status(store)
        finally:
            store.close()
        plaintext_leak = b"self_test_marker" in paths.db.read_bytes()
    ok = marker == "纪案通自检" and report.ok and not plaintext_leak
    if not ok:
        raise RuntimeError("self-test failed")
    return {"ok": ok, "cipher_version": info["cipher_version"], "schema_version": info["schema_version"],
            "audit_events": report.events}
