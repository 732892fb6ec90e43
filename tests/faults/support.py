"""Shared parts of the fault suites: a paired township and county made once, checks run after a fault."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import func, select

from app.models import Attachment, BundleLog, Case, Clue, Counter, Document
from app.paths import store_paths
from app.services import cases, offices, ruleset, setup, status, sync, unlock
from app.sync import container

PASSWORD = "qingshi2026"
TODAY = date(2026, 3, 10)
CLUES = 12
ATTACHMENTS = 8
ATTACHMENT_SIZE = 256 * 1024


def clue(n: int) -> dict:
    return {"received_on": "2026-03-02", "source": "信访举报（来信）",
            "persons": [{"name": f"王建{n:03d}", "unit": "青石村民委员会", "post": "村委会委员"}],
            "summary": f"反映王建{n:03d}在低保评定中优亲厚友的问题线索（第{n}件）", "categories": ["违反群众纪律"]}


def open_store(data: Path):
    return unlock.unlock(store_paths(data), None, PASSWORD).store


@dataclass(frozen=True)
class Templates:
    """Closed stores to copy per fault: the township with cases and attachments, the county that
    trusts it, and one upward bundle from the township."""

    township: Path
    county: Path
    bundle: Path
    township_sign: str
    cases: int


def build(root: Path) -> Templates:
    county_dir, township_dir = root / "county", root / "township"
    setup.create_store(store_paths(county_dir), setup.SetupRequest("C01", "青山县纪委", "county", "管理员", PASSWORD,
                                                                   parent_code="S01", kdf_profile="fast"))
    county = open_store(county_dir)
    offices.add_office(county, "T001", "青石镇纪委", "township", abbr="青石")
    package = root / "setup.jab"
    offices.make_setup_package(county, "T001", package)
    setup.create_store(store_paths(township_dir), setup.SetupRequest("", "", "", "张书记", PASSWORD, kdf_profile="fast",
                                                                     setup_package=offices.read_setup_package(package)))
    township = open_store(township_dir)
    rules = ruleset.load(township)
    case_ids = [cases.register_clue(township, clue(n), today=TODAY, rules=rules).case_id for n in range(CLUES)]
    with township.write() as s:
        for n in range(ATTACHMENTS):
            data = hashlib.sha256(str(n).encode()).digest() * (ATTACHMENT_SIZE // 32)  # stands for a scanned page
            s.add(Attachment(owner_office_id=township.office.id, case_id=case_ids[n], name=f"证据{n}.jpg", content=data,
                             size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    stick = root / "stick"
    stick.mkdir()
    exported = sync.export(township, "C01", stick, full=True)
    first = sync.import_one(county, Path(exported.bundle))
    assert first.code == "fingerprint_unconfirmed", first
    offices.trust(county, "T001", offices.fingerprint(township).fingerprint)
    with township.read() as s:
        sign = offices.own_keys(s, township.office.id).public.sign_public
    bundle = root / exported.bundle.rsplit("/", 1)[-1]
    shutil.move(exported.bundle, bundle)
    shutil.rmtree(county_dir / "quarantine", ignore_errors=True)
    county.close()
    township.close()
    return Templates(township_dir, county_dir, bundle, sign, CLUES)


def copy_store(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def check_store(data: Path) -> dict:
    """The store unlocks and verifies (cipher pages and audit chain); returns its record counts."""
    store = open_store(data)
    try:
        report = status.verify(store)
        assert report.ok, (report.cipher_integrity, report.audit_chain)
        with store.read() as s:
            counts = {
                "case_ids": set(s.exec(select(Case.id)).all()),
                "clue_numbers": s.exec(select(Clue.number)).all(),
                "attachments": s.exec(select(func.count()).select_from(Attachment)).one(),
                "bundles": s.exec(select(BundleLog.direction, BundleLog.bundle_id)).all(),
            }
    finally:
        store.close()
    return counts


def documents(data: Path) -> list[tuple]:
    """Stored document versions and the numbering counters, which a refused render must not move."""
    store = open_store(data)
    try:
        with store.read() as s:
            docs = sorted(s.exec(select(Document.id, Document.number, Document.sha256)).all())
            counters = sorted((c.office_id, c.kind, c.year, c.value) for c in s.exec(select(Counter)).all())
    finally:
        store.close()
    return docs + counters


def check_bundle(path: Path, sign_public: str) -> dict:
    """A file under a bundle's final name must be whole: framing, signature and body hash."""
    header = container.read_header(path)
    container.check_signature(header, sign_public, path.name)
    container.check_body(path, header)
    return header.manifest


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def file_names(folder: Path) -> set[str]:
    return {n for n in leftovers(folder) if not n.startswith(".")}


def sync_workspaces(tmp: Path) -> list[str]:
    """The private folders exports and imports work in (app/sync/pack.py), still present under `tmp`."""
    return sorted(n for n in os.listdir(tmp) if n.startswith("jiantong-sync-"))
