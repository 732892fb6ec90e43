"""`--self-test`: prove on this PC that the store, the crypto, the audit chain, the shipped rules, the
document templates and bundle encryption work — everything a packaged build could be missing."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pyrage
from sqlmodel import func, select

from app.models import Document, Setting
from app.paths import store_paths
from app.services import demo_data, setup, status, unlock
from app.sync import keys


def run(today: date | None = None) -> dict:
    today = today or date.today()
    with tempfile.TemporaryDirectory(prefix="jiantong-selftest-") as tmp:
        paths = store_paths(Path(tmp))
        password = "selftest2026"
        setup.create_store(paths, setup.SetupRequest("SELFTEST", "自检单位", "township", "自检", password,
                                                     parent_code="SELFCOUNTY", kdf_profile="fast",
                                                     test_store=True))
        store = unlock.unlock(paths, None, password).store
        try:
            with store.write() as s:
                s.add(Setting(key="self_test_marker", value="纪案通自检"))
            with store.read() as s:
                marker = s.exec(select(Setting).where(Setting.key == "self_test_marker")).one().value
            # one case through every stage to a sanction, its documents rendered from the shipped templates
            demo_data.generate(store, {"year": today.year - 1, "routes": {"filed_sanctioned": 1}, "documents": True},
                               today=today)
            with store.read() as s:
                documents = s.exec(select(func.count()).select_from(Document)).one()
            report = status.verify(store)
            info = status.status(store)
        finally:
            store.close()
        plaintext_leak = b"self_test_marker" in paths.db.read_bytes()
    own = keys.generate()
    sealed = pyrage.encrypt("纪案通自检".encode(), [keys.recipient(own.public.age_recipient)])
    bundle_ok = (pyrage.decrypt(sealed, [own.identity()]).decode() == "纪案通自检"
                 and keys.verify(own.public.sign_public, own.sign(sealed), sealed))
    ok = marker == "纪案通自检" and report.ok and not plaintext_leak and documents > 0 and bundle_ok
    if not ok:
        raise RuntimeError("self-test failed")
    return {"ok": ok, "cipher_version": info["cipher_version"], "schema_version": info["schema_version"],
            "audit_events": report.events, "documents": documents}
