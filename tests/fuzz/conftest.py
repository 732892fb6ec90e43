"""Fixtures for the fuzz tests, built once per session: a real county/township pair with a genuine
upward bundle, and a township store for the clue importer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import BundleLog, Office, OfficeKey
from app.paths import store_paths
from app.services import offices, unlock
from app.sync import container, keys
from app.sync.manifest import GENESIS
from tests.integration.conftest import PASSWORD
from tests.integration.conftest import run_cli_captured as run_cli
from tests.integration.test_sync_roundtrip import (
    make_chain,
    ok,
    opened,
    pair,
    walk_to_county_review,
)


@dataclass
class BundleWorld:
    county: object  # the county's open Store, for the whole session
    bundle: Path  # the township's genuine upward bundle (seq 2) to the county
    own: keys.OwnKeys  # the township's keys, to sign forged bundles
    sender: dict
    recipient: dict
    age_recipient: str
    identity: object  # the county's age identity, to read the genuine payload
    prev_hash: str


@pytest.fixture(scope="session")
def bundle_world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz-bundle")
    chain = make_chain(tmp, run_cli)
    walk_to_county_review(run_cli, chain.township, tmp)
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    bundle = Path(ok(run_cli("--data-dir", chain.township, "export", "--to", "C01", "--out", chain.stick, "--full", "--json"))["bundle"])
    with opened(chain.township) as store, store.read() as s:
        own = offices.own_keys(s, store.office.id)
        sender = offices.sender_block(s.get(Office, store.office.id), own)
    county = unlock.unlock(store_paths(chain.county), None, PASSWORD).store
    with county.read() as s:
        county_key = s.get(OfficeKey, county.office.id)
        logged = s.exec(select(BundleLog.sha256).where(BundleLog.direction == "in", BundleLog.seq == 1)).first()
        identity = offices.own_keys(s, county.office.id).identity()
    recipient = {"office_id": county.office.id, "code": county.office.code, "fingerprint": county_key.fingerprint}
    try:
        yield BundleWorld(county, bundle, own, sender, recipient, county_key.age_recipient, identity, logged or GENESIS)
    finally:
        county.close()
        os.environ.pop("JIANTONG_PASSWORD", None)


@pytest.fixture(scope="session")
def genuine_header(bundle_world):
    return container.read_header(bundle_world.bundle)
