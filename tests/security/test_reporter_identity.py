"""举报人身份 never leaves the administrator's view: a clue registered by the administrator with
unique marker strings as the reporter's name, phone, ID number and address, taken through county
review, then looked for in every byte of the decrypted upward bundle, the log, every temporary
file, the documents a staff account renders and opens for editing, and the command output.
(The screens of a staff account: tests/ui/test_reporter_screens.py.)"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import zipfile
from pathlib import Path

import pyrage
import pytest

from app.models import Case
from app.paths import store_paths
from app.services import accounts, document_files, documents, offices, reporters, unlock
from app.sync import container
from tests.integration.test_case_paths import CLUE, TO_REVIEW, Walk
from tests.integration.test_sync_roundtrip import make_chain, ok, pair
from tests.security.security_support import PASSWORD, run_cli

REPORTER = {"name": "举报人标记甲QZ", "phone": "17700012345", "id_number": "11010519491231002X",
            "address": "标记路QZ9号", "real_name": True}
MARKERS = [REPORTER[k] for k in ("name", "phone", "id_number", "address")]
STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"


def forms(text: str) -> list[bytes]:
    """The ways a marker could be written: UTF-8, JSON-escaped, UTF-16 (Windows), and its Chinese part alone."""
    out = [text.encode("utf-8"), json.dumps(text).strip('"').encode("ascii"), text.encode("utf-16-le")]
    chinese = "".join(c for c in text if "\u4e00" <= c <= "\u9fff")
    if len(chinese) >= 4:
        out.append(chinese.encode("utf-8"))
    return out


def leaks(blob: bytes) -> list[str]:
    """Markers found in `blob`, also inside any zip it is (bundle payloads and .docx are deflated)."""
    found = [m for m in MARKERS if any(f in blob for f in forms(m))]
    if blob[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                for name in z.namelist():
                    found += [f"{name}: {m}" for m in leaks(z.read(name))]
        except zipfile.BadZipFile:
            pass
    return found


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def private_temp(tmp_path, monkeypatch) -> Path:
    """The process's temporary folder, watched: everything the app puts there lands here."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.slow
def test_reporter_identity_stays_with_the_administrator(tmp_path, private_temp, caplog):
    caplog.set_level(logging.DEBUG)
    chain = make_chain(tmp_path, run_cli)
    township = chain.township
    outputs = []
    walk = Walk({**CLUE, "reporter": REPORTER}).path(*TO_REVIEW, "+party_warning", "submit_county_review")
    applied = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    outputs.append(applied)
    case_id = ok(applied)["refs"]["c"]

    # the administrator sees it: the markers really are in the store
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        with store.read() as s:
            clue_id = s.get(Case, case_id).clue_id
        shown = reporters.reveal(store, clue_id)
        assert (shown.name, shown.phone, shown.id_number, shown.address) == tuple(MARKERS)
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
    finally:
        store.close()

    # 1. the upward bundle, decrypted with the county's key: no marker in any byte of any entry
    pair(run_cli, chain, township, chain.county, "T001", "C01")
    exported = run_cli("--data-dir", township, "export", "--to", "C01", "--out", chain.stick, "--full", "--json")
    outputs.append(exported)
    bundle = Path(ok(exported)["bundle"])
    county = unlock.unlock(store_paths(chain.county), None, PASSWORD).store
    try:
        with county.read() as s:
            identity = offices.own_keys(s, county.office.id).identity()
    finally:
        county.close()
    header = container.read_header(bundle)
    payload = pyrage.decrypt(bundle.read_bytes()[header.body_offset:], [identity])
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        names = z.namelist()
        cases_rows = [json.loads(line) for line in z.read("records/case.jsonl").decode().splitlines()]
    assert "records/clue.jsonl" in names and any(r["id"] == case_id for r in cases_rows)  # the case did travel
    assert leaks(payload) == [] and leaks(bundle.read_bytes()) == []
    imported = run_cli("--data-dir", chain.county, "import", bundle, "--json")
    outputs.append(imported)
    assert imported.code == 0, imported.err

    # 2. a staff account: masked view, refused identity, documents rendered and opened for editing
    staff = unlock.unlock(store_paths(township), STAFF, STAFF_PASSWORD).store
    try:
        masked = reporters.masked(staff, clue_id)
        assert masked.masked and leaks(repr(masked).encode()) == []
        rendered = [documents.render(staff, case_id, template_id) for template_id in
                    ("clue_register_form", "disposition_approval_form", "filing_decision", "county_review_request")]
        for made in rendered:
            assert leaks(documents.content(staff, made.document_id)[1]) == [], made.template_id
        session = document_files.export_for_editing(staff, rendered[0].document_id)
        assert leaks(session.path.read_bytes()) == []
        document_files.close_out(staff)
    finally:
        staff.close()

    # 3. the log, the command output and every file the app left in the temporary folder and the data dirs
    assert leaks(caplog.text.encode()) == []
    for result in outputs:
        assert leaks((result.out + result.err).encode()) == []
    left = files_under(private_temp)
    assert left == [], left  # the sync workspaces and document copies are gone
    for root in (chain.township, chain.county, chain.stick):
        for path in files_under(root):
            assert leaks(path.read_bytes()) == [], path
