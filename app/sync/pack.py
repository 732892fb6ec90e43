"""Sealing a payload (ZIP → age ciphertext → signed, framed file) and opening one again.

Payload bytes are never plaintext on disk: the working copy of a bundle's payload, written while
exporting or read while importing, is a `Spool` (app/sync/spool.py), sealed chunk by chunk under a
key held only in memory, in a private working folder (owner-only) that is removed when the work is
done; never on the stick. (A set-up package is not encrypted at all: it holds no case data.) A store's exports and imports work inside its data folder
(`StorePaths.sync_work`), not the system temp folder, so what a killed process left there is
removed at the next unlock (app/services/unlock.py), by the next holder of the store's lock.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyrage

from app.sync import keys
from app.sync.archive import Builder, Payload
from app.sync.container import CHUNK, BackgroundHash, BundleError, Header, Progress, file_sha256
from app.sync.spool import Spool


class Workspace:
    """A private temporary folder for one export or import.

    `root`: the store's `sync_work` folder; None for reading a set-up package, which happens before
    any store exists and holds nothing confidential.
    """

    def __init__(self, root: Path | None = None):
        if root is not None:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(root, stat.S_IRWXU)  # mkdir's mode does not apply to a folder that already existed
        self.path = Path(tempfile.mkdtemp(prefix="jiantong-sync-", dir=root))  # mkdtemp makes it 0700

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def build_sealed_payload(work: Workspace, fill: Callable[[Builder], None]) -> Spool:
    """The payload archive written straight into a sealed working copy."""
    spool = Spool(work.path / "payload.spool")
    writer = spool.writer()
    try:
        builder = Builder(writer)
        try:
            fill(builder)
        finally:
            builder.close()
    finally:
        writer.close()
    return spool


def build_payload(work: Workspace, fill: Callable[[Builder], None]) -> Path:
    path = work.path / "payload.zip"
    builder = Builder(path)
    try:
        fill(builder)
    finally:
        builder.close()
    return path


class HashingReader(io.RawIOBase):
    """A file read through once, feeding every digest given (wrap it in a large buffer: age reads 8 KiB at a time)."""

    def __init__(self, raw, *digests):
        self.raw = raw
        self.digests = digests

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        view = memoryview(buffer)[:n]
        for digest in self.digests:
            digest.update(view)
        return n


class HashingWriter(io.RawIOBase):
    """Counts and hashes what is written (into `digest`), passing it on to `raw` (or dropping it when None)."""

    def __init__(self, raw, digest):
        self.raw = raw
        self.digest = digest
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        if self.raw is not None:
            self.raw.write(data)
        return len(data)


@dataclass(frozen=True)
class Sealed:
    plain_sha256: str
    ciphertext_size: int
    ciphertext_sha256: str

    def body_fields(self) -> dict:
        return {"ciphertext_size": self.ciphertext_size, "ciphertext_sha256": self.ciphertext_sha256}


def encrypt(plain: Path | Spool, age_recipients: list[str], out: Path) -> Sealed:
    """Encrypt `plain` into `out`, hashing both sides in the same pass."""
    recipients = [keys.recipient(r) for r in age_recipients]
    source = plain.reader() if isinstance(plain, Spool) else open(plain, "rb", buffering=0)  # noqa: SIM115
    with source as src, open(out, "wb", buffering=0) as dst, BackgroundHash() as plain_digest, BackgroundHash() as digest:
        writer = HashingWriter(dst, digest)
        with io.BufferedWriter(writer, CHUNK) as buffered:  # age writes 8 KiB at a time
            pyrage.encrypt_io(io.BufferedReader(HashingReader(src, plain_digest), CHUNK), buffered, recipients)
        return Sealed(plain_digest.hexdigest(), writer.size, digest.hexdigest())


def body_fields(body: Path) -> dict:
    """The manifest's fields for a body written without `encrypt` (a set-up package's plain ZIP)."""
    return {"ciphertext_size": body.stat().st_size, "ciphertext_sha256": file_sha256(body)}


def check_body_and_hash(path: Path, header: Header, progress: Progress | None = None) -> str:
    """Check the body's SHA-256 against the manifest and return the SHA-256 of the whole file, in one read."""
    whole, body = hashlib.sha256(), hashlib.sha256()
    done = 0
    with open(path, "rb") as fh:
        head = fh.read(header.body_offset)
        whole.update(head)
        while chunk := fh.read(CHUNK):
            whole.update(chunk)
            body.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, header.body_size)
    if len(head) != header.body_offset or body.hexdigest() != header.manifest.get("ciphertext_sha256"):
        raise BundleError("body_hash", f"“{path.name}”的内容与清单中的校验值不符：数据包已损坏或被改动。")
    return whole.hexdigest()


@dataclass(frozen=True)
class ReadBack:
    file_sha256: str
    body_sha256: str
    plain_sha256: str


def read_back(path: Path, header: Header, identity: pyrage.x25519.Identity) -> ReadBack:
    """Decrypt a written bundle in one read of the file, hashing the file, its body and the plaintext
    on the way; the plaintext is never written (the export's read-back, docs/BUNDLE.md §10)."""
    with open(path, "rb", buffering=0) as src, BackgroundHash(src.read(header.body_offset)) as whole, \
            BackgroundHash() as body, BackgroundHash() as plain:
        buffered = io.BufferedReader(HashingReader(src, whole, body), CHUNK)
        try:
            with io.BufferedWriter(HashingWriter(None, plain), CHUNK) as sink:  # age writes 8 KiB at a time
                pyrage.decrypt_io(buffered, sink, [identity])
        except (pyrage.DecryptError, ValueError, OSError) as exc:
            raise BundleError("decrypt_failed", f"“{path.name}”无法解密：不是发给本单位的，或内容已损坏。") from exc
        while buffered.read(CHUNK):  # bytes after the age stream still count in the hashes
            pass
        return ReadBack(whole.hexdigest(), body.hexdigest(), plain.hexdigest())


def decrypt(path: Path, header: Header, identity: pyrage.x25519.Identity, out: Path) -> None:
    """Decrypt the body of a verified bundle into `out`."""
    with open(path, "rb") as src, open(out, "wb") as dst:
        src.seek(header.body_offset)
        try:
            pyrage.decrypt_io(src, dst, [identity])
        except (pyrage.DecryptError, ValueError, OSError) as exc:
            raise BundleError("decrypt_failed", f"“{path.name}”无法解密：不是发给本单位的，或内容已损坏。") from exc


def copy_plain_body(path: Path, header: Header, out: Path) -> None:
    with open(path, "rb") as src, open(out, "wb") as dst:
        src.seek(header.body_offset)
        while chunk := src.read(CHUNK):
            dst.write(chunk)


def decrypt_to_spool(path: Path, header: Header, identity: pyrage.x25519.Identity, spool: Spool) -> None:
    """Decrypt the body of a verified bundle into a sealed working copy (age's stream, chunk by chunk)."""
    writer = spool.writer()
    try:
        with open(path, "rb") as src:
            src.seek(header.body_offset)
            try:
                pyrage.decrypt_io(src, writer, [identity])
            except (pyrage.DecryptError, ValueError, OSError) as exc:
                raise BundleError("decrypt_failed", f"“{path.name}”无法解密：不是发给本单位的，或内容已损坏。") from exc
    finally:
        writer.close()


def open_payload(path: Path, header: Header, identity: pyrage.x25519.Identity | None, work: Workspace) -> Payload:
    if header.manifest.get("encryption") == "none":  # a set-up package: no case data, nothing to hide
        plain = work.path / "received.zip"
        copy_plain_body(path, header, plain)
        return Payload(plain)
    spool = Spool(work.path / "received.spool")
    decrypt_to_spool(path, header, identity, spool)
    return Payload(spool.reader())
