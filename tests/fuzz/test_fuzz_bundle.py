"""Fuzzing the bundle reader: a genuine bundle's bytes mutated, its manifest rewritten and re-signed,
and hostile payload archives. Every outcome is a refusal with a typed error and a Chinese reason,
and the county's store keeps every row as it was."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import uuid
import warnings
import zipfile
from pathlib import Path

import pyrage
from hypothesis import given
from hypothesis import strategies as st

from app.services import sync
from app.sync import archive, container, keys, manifest
from tests.fuzz.fuzz_support import (
    FUZZ,
    FUZZ_CHEAP,
    apply_mutations,
    assert_clean,
    budget,
    json_values,
    mutations,
    store_digest,
    structural_edit,
)

SCRATCH = Path(tempfile.gettempdir())


def write_temp(data: bytes, suffix: str = ".jab") -> Path:
    path = SCRATCH / f"fuzz-{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return path


def refused_cleanly(world, path: Path) -> sync.ImportResult:
    """Import (dry run) and check: refused, by a named check (not the catch-all), in Chinese, nothing written."""
    before = store_digest(world.county)
    try:
        result = sync.import_one(world.county, path, dry_run=True)
    finally:
        path.unlink(missing_ok=True)
    assert result.refused, result
    assert result.code != "apply_failed", f"an untyped error reached the catch-all: {result.reason}"
    assert any("\u4e00" <= c <= "\u9fff" for c in result.reason), result.reason
    assert store_digest(world.county) == before
    return result


def read_header_cleanly(path: Path) -> None:
    try:
        header = container.read_header(path)
        manifest.check(header.manifest, path.name)
    except Exception as exc:  # noqa: BLE001 - the property: nothing but typed errors
        assert_clean(exc)


@FUZZ
@given(data=st.data())
def test_mutated_bundle_bytes_are_refused(bundle_world, genuine_header, data):
    raw = bundle_world.bundle.read_bytes()
    edits = data.draw(mutations(len(raw), hot=genuine_header.body_offset + 64))
    bad = apply_mutations(raw, edits)
    if bad == raw:
        return
    path = write_temp(bad)
    read_header_cleanly(path)
    refused_cleanly(bundle_world, path)


def forge(world, m: dict, body: bytes) -> Path:
    body_path = write_temp(body, ".body")
    target = SCRATCH / f"fuzz-{uuid.uuid4().hex}.jab"
    try:
        container.write(target, m, world.own, body_path)
    finally:
        body_path.unlink(missing_ok=True)
    return target


@FUZZ
@given(data=st.data())
def test_signed_manifests_with_any_fields_are_refused(bundle_world, genuine_header, data):
    """Signed with the township's real key, so every check after the signature is reached too."""
    m = structural_edit(genuine_header.manifest, data.draw, json_values)
    body = bundle_world.bundle.read_bytes()[genuine_header.body_offset:]
    if m == genuine_header.manifest:
        return
    try:
        path = forge(bundle_world, m, body)
    except Exception as exc:  # noqa: BLE001 - the writer may refuse a manifest it cannot frame
        assert_clean(exc)
        return
    read_header_cleanly(path)
    result = refused_cleanly_or_previewed(bundle_world, path)
    assert result is not None


def refused_cleanly_or_previewed(world, path: Path) -> sync.ImportResult:
    """A field the checks do not read (created_at, counts) may change and still preview: then it is not refused."""
    before = store_digest(world.county)
    try:
        result = sync.import_one(world.county, path, dry_run=True)
    finally:
        path.unlink(missing_ok=True)
    if result.refused:
        assert result.code != "apply_failed", f"an untyped error reached the catch-all: {result.reason}"
        assert any("\u4e00" <= c <= "\u9fff" for c in result.reason), result.reason
    assert store_digest(world.county) == before
    return result


# --- payload archives -----------------------------------------------------------------------

VALID_NAMES = ["receipts.json", "records/case.jsonl", "records/clue.jsonl", "records/reporter.jsonl", "records/nope.jsonl",
               "records/audit_event.jsonl", "holidays/2026.json", "holidays/abcd.json", "rules/workflow.toml",
               "templates/manifest.toml", "templates/x.docx", f"files/{'a' * 64}"]
HOSTILE_NAMES = ["../x", "/etc/passwd", "C:/x", "a\\b", "records/", "", "records/../index.json", "files/", "x" * 300]
names = st.one_of(st.sampled_from(VALID_NAMES + HOSTILE_NAMES),
                  st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=30))
contents = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(json_values, max_size=4).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
    st.lists(st.dictionaries(st.sampled_from(["id", "owner_office_id", "version", "created_at", "updated_at", "deleted",
                                              "name", "step_id", "state"]), json_values, max_size=9), max_size=3)
    .map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
)


def payload_zip(entries: list[tuple[str, bytes]], index_mode: str) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        warnings.simplefilter("ignore")  # duplicate names are part of the test
        listed = {}
        for name, blob in entries:
            z.writestr(name or "empty", blob)
            listed[name or "empty"] = {"size": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
        if index_mode == "right":
            z.writestr("index.json", json.dumps({"entries": listed}))
        elif index_mode == "wrong":
            z.writestr("index.json", json.dumps({"entries": {k: {"size": v["size"] + 1} for k, v in listed.items()}}))
    return buf.getvalue()


def consume(payload: archive.Payload) -> None:
    """Read every entry the way the importer does."""
    for name in sorted(payload.names):
        if name == archive.INDEX:
            continue
        if name.endswith(".jsonl"):
            for number, line in payload.lines(name):
                payload.json_line(name, number, line)
        elif name.endswith(".json"):
            payload.read_json(name)
        else:
            payload.read(name)


def open_and_consume(blob: bytes) -> None:
    path = write_temp(blob, ".zip")
    payload = None
    try:
        payload = archive.Payload(path)
        consume(payload)
    except Exception as exc:  # noqa: BLE001 - the property: nothing but typed errors
        assert_clean(exc)
    finally:
        if payload is not None:
            payload.close()
        path.unlink(missing_ok=True)


@FUZZ
@given(entries=st.lists(st.tuples(names, contents), max_size=5), index_mode=st.sampled_from(["right", "wrong", "none"]))
def test_hostile_payload_archives_are_refused_by_the_reader(entries, index_mode):
    try:
        blob = payload_zip(entries, index_mode)
    except (ValueError, UnicodeEncodeError):
        return  # zipfile itself will not write such a name
    open_and_consume(blob)


@FUZZ
@given(data=st.data())
def test_mutated_genuine_payload_is_refused_by_the_reader(bundle_world, genuine_header, data):
    body = bundle_world.bundle.read_bytes()[genuine_header.body_offset:]
    plain = pyrage.decrypt(body, [bundle_world.identity])
    open_and_consume(apply_mutations(plain, data.draw(mutations(len(plain)))))


@budget(40)  # each example signs, encrypts and imports a bundle
@given(entries=st.lists(st.tuples(st.sampled_from(VALID_NAMES), contents), min_size=1, max_size=4))
def test_signed_encrypted_hostile_payloads_are_refused_by_the_importer(bundle_world, genuine_header, entries):
    """Through the whole importer: signature, hash and decryption pass, then the content must be refused cleanly."""
    try:
        blob = payload_zip(entries, "right")
    except (ValueError, UnicodeEncodeError):
        return
    body = pyrage.encrypt(blob, [keys.recipient(bundle_world.age_recipient)])
    m = {**genuine_header.manifest, "bundle_id": uuid.uuid4().hex, "prev_hash": bundle_world.prev_hash,
         "ciphertext_size": len(body), "ciphertext_sha256": hashlib.sha256(body).hexdigest()}
    refused_cleanly_or_previewed(bundle_world, forge(bundle_world, m, body))


def test_deeply_nested_json_is_refused_not_a_recursion_error(bundle_world, genuine_header, tmp_path):
    """A manifest (read before the signature is checked) or index nested 100 000 deep."""
    nested = b"[" * 100_000 + b"]" * 100_000
    raw = container.PREFIX.pack(container.MAGIC, container.FORMAT_VERSION, len(nested)) + nested + bytes(64)
    path = tmp_path / "nested.jab"
    path.write_bytes(raw)
    read_header_cleanly(path)
    assert sync.import_bundles(bundle_world.county, [path], dry_run=True)[0].code == "manifest_invalid"
    open_and_consume(payload_zip([("receipts.json", nested)], "right"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.json", nested)
    open_and_consume(buf.getvalue())


@FUZZ_CHEAP
@given(pieces=st.lists(st.binary(max_size=3000), max_size=12), reads=st.lists(st.tuples(st.integers(0, 40000),
                                                                                         st.integers(0, 5000)), max_size=8))
def test_sealed_working_copy_reads_back_what_was_written(pieces, reads):
    """The payload's sealed working copy (app/sync/spool.py) is a faithful file: any writes, then
    any seeks and reads, give the bytes written; the disk holds none of them in the clear."""
    from app.sync import spool as spool_module

    original = spool_module.CHUNK
    spool_module.CHUNK, spool_module.SEALED = 1024, 1024 + spool_module.TAG  # many chunk boundaries
    try:
        with tempfile.TemporaryDirectory() as tmp:
            s = spool_module.Spool(Path(tmp) / "w.spool")
            with s.writer() as w:
                for piece in pieces:
                    w.write(piece)
            whole = b"".join(pieces)
            with s.reader() as r:
                assert r.read() == whole
                for offset, size in reads:
                    r.seek(offset)
                    assert r.read(size) == whole[offset:offset + size]
            on_disk = s.path.read_bytes()
            assert all(len(p) < 16 or p not in on_disk for p in pieces)
    finally:
        spool_module.CHUNK, spool_module.SEALED = original, original + spool_module.TAG
