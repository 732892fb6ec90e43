"""The bundle file format without a store: framing, signature, hashes, the payload archive's
checks, fingerprints, and removable-drive detection on a made-up /sys and /proc."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import pyrage
import pytest

from app.sync import archive, container, keys, manifest, volumes
from app.sync.archive import Builder, Payload
from app.sync.container import BundleError


def sample_manifest(sender: keys.OwnKeys, recipient: keys.OwnKeys, body: Path) -> dict:
    return {
        "format": 1, "kind": "upward", "bundle_id": "a" * 32,
        "sender": {"office_id": "b" * 32, "code": "T001", "name": "青石镇纪委", "level": "township", "parent_code": "C01",
                   "sign_public": sender.public.sign_public, "age_recipient": sender.public.age_recipient,
                   "fingerprint": sender.public.fingerprint},
        "recipient": {"office_id": "c" * 32, "code": "C01", "fingerprint": recipient.public.fingerprint},
        "seq": 1, "prev_hash": manifest.GENESIS, "created_at": manifest.now_text(),
        "versions": {"app": "0.1.0", "schema": "0001", "rules": "2026.1"}, "practice": False, "full": True,
        "encryption": "age", "counts": {"case": 1, "files": 0},
        "ciphertext_size": body.stat().st_size, "ciphertext_sha256": container.file_sha256(body),
    }


@pytest.fixture
def sealed(tmp_path):
    sender, recipient = keys.generate(), keys.generate()
    plain = tmp_path / "payload.zip"
    builder = Builder(plain)
    builder.add_lines("records/case.jsonl", [{"id": "1"}])
    builder.close()
    body = tmp_path / "body.age"
    body.write_bytes(pyrage.encrypt(plain.read_bytes(), [keys.recipient(recipient.public.age_recipient),
                                                          keys.recipient(sender.public.age_recipient)]))
    m = sample_manifest(sender, recipient, body)
    target = tmp_path / manifest.file_name("T001", "C01", 1)
    digest = container.write(target, m, sender, body)
    return target, digest, sender, recipient, plain


def test_written_bundle_reads_back_and_verifies(sealed):
    target, digest, sender, recipient, plain = sealed
    assert target.name == "T001_C01_1.jab"
    assert container.file_sha256(target) == digest
    header = container.read_header(target)
    manifest.check(header.manifest, target.name)
    container.check_signature(header, sender.public.sign_public, target.name)
    container.check_body(target, header)
    assert target.read_bytes()[:8] == b"JABUNDLE"
    body = target.read_bytes()[header.body_offset:]
    for who in (recipient, sender):  # sealed to the recipient and to the sender itself
        assert pyrage.decrypt(body, [who.identity()]) == plain.read_bytes()


def test_signature_by_another_key_fails(sealed):
    target, _, _, recipient, _ = sealed
    with pytest.raises(BundleError) as err:
        container.check_signature(container.read_header(target), recipient.public.sign_public, target.name)
    assert err.value.code == "bad_signature" and err.value.exit_code == 2


@pytest.mark.parametrize("change, code", [
    (lambda m: m.pop("seq"), "manifest_invalid"),
    (lambda m: m.update(kind="sideways"), "manifest_invalid"),
    (lambda m: m["sender"].update(fingerprint="00000 00000 00000 00000 00000 00000"), "manifest_invalid"),
    (lambda m: m["sender"].update(sign_public="zz"), "manifest_invalid"),
    (lambda m: m.update(encryption="none"), "manifest_invalid"),
    (lambda m: m.update(prev_hash="xyz"), "manifest_invalid"),
])
def test_manifest_shape_is_checked(sealed, change, code):
    target = sealed[0]
    m = json.loads(json.dumps(container.read_header(target).manifest))
    change(m)
    with pytest.raises(BundleError) as err:
        manifest.check(m, target.name)
    assert err.value.code == code


def test_framing_errors_have_their_own_codes(tmp_path, sealed):
    target = sealed[0]
    data = target.read_bytes()
    cases = {
        "not_a_bundle": b"PK\x03\x04" + data[4:],
        "bundle_version": data[:8] + b"\x00\x02" + data[10:],
        "bundle_truncated": data[:-1],
        "manifest_invalid": data[:14] + b"[" + data[15:],
    }
    for code, content in cases.items():
        path = tmp_path / f"{code}.jab"
        path.write_bytes(content)
        with pytest.raises(BundleError) as err:
            container.read_header(path)
        assert err.value.code == code, code


def test_fingerprint_groups_and_normalisation():
    k = keys.generate()
    fp = k.public.fingerprint
    groups = fp.split(" ")
    assert len(groups) == 6 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert keys.normalize_fingerprint(fp.replace(" ", "")) == fp
    assert keys.normalize_fingerprint(fp.replace(" ", "-")) == fp
    assert keys.normalize_fingerprint(fp[:-1]) == ""
    assert keys.normalize_fingerprint(fp + "x") == ""
    assert keys.generate().public.fingerprint != fp


@pytest.mark.parametrize("name, problem", [
    ("../x", "上级目录"), ("records/../../x", "上级目录"), ("/abs", "绝对路径"), ("C:\\x", "绝对路径"),
    ("D:x", "绝对路径"), ("records\\case.jsonl", "反斜杠"), ("records/Case.jsonl", "不是数据包允许的名称"),
    ("files/abc", "不是数据包允许的名称"), ("records/case.jsonl", None), (f"files/{'0' * 64}", None),
])
def test_entry_name_grammar(name, problem):
    found = archive.name_problem(name)
    assert (found is None) if problem is None else (problem in found)


def zip_with(entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info, data in entries:
            z.writestr(info, data)
    return buf.getvalue()


def test_payload_checks_index_and_hashes(tmp_path):
    good = tmp_path / "good.zip"
    b = Builder(good)
    b.add_json("receipts.json", [])
    data = b"%PDF-fake"
    b.add(f"files/{hashlib.sha256(data).hexdigest()}", data, compress=False)
    b.close()
    p = Payload(good)
    assert p.read_json("receipts.json") == []
    p.close()
    # a file whose content does not match its name
    other = hashlib.sha256(b"other").hexdigest()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_with([(f"files/{other}", data),
                              ("index.json", json.dumps({"entries": {f"files/{other}": {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}}}))]))
    p = Payload(bad)
    with pytest.raises(BundleError) as err:
        p.read(f"files/{other}")
    assert err.value.code == "payload_hash"
    p.close()


def test_links_and_folders_are_refused(tmp_path):
    for mode, name in ((stat.S_IFLNK | 0o777, "receipts.json"), (stat.S_IFDIR | 0o755, "receipts.json")):
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        path = tmp_path / "l.zip"
        path.write_bytes(zip_with([(info, b"x"), ("index.json", "{}")]))
        with pytest.raises(BundleError) as err:
            Payload(path)
        assert err.value.code == "payload_link"


def test_builder_refuses_names_outside_the_grammar(tmp_path):
    b = Builder(tmp_path / "x.zip")
    with pytest.raises(ValueError):
        b.add("../x", b"")
    b.close()


def test_linux_volume_detection(tmp_path):
    sys_block = tmp_path / "sys" / "block"
    for dev, removable in (("sda", "0"), ("sdb", "1")):
        (sys_block / dev).mkdir(parents=True)
        (sys_block / dev / "removable").write_text(removable + "\n")
    (sys_block / "sdb" / "sdb1").mkdir()
    stick = tmp_path / "mnt" / "U 盘"
    stick.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    escaped = str(stick).replace(" ", "\\040")
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 {escaped} vfat rw 0 0\nproc /proc proc rw 0 0\n")
    found = volumes.linux_volumes(sys_block, mounts, (tmp_path / "media",))
    assert [v.path for v in found] == [str(stick)]
    assert found[0].free_bytes > 0 and "U 盘" in found[0].label
    assert volumes.removable_devices(sys_block) == {"sdb", "sdb1"}
    assert volumes.linux_volumes(tmp_path / "nothing", tmp_path / "none", ()) == []
