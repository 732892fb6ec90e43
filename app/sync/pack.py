"""Sealing a payload (ZIP → age ciphertext → signed, framed file) and opening one again.

Payload bytes are never plaintext on disk. An export encrypts the archive as it is built, straight
into the bundle file on the stick (`seal_into`). An import decrypts into a working copy, a `Spool`
(app/sync/spool.py), sealed chunk by chunk under a key held only in memory, in a private working
folder (owner-only) that is removed when the work is done. (A set-up package is not encrypted at
all: it holds no case data.) A store's imports work inside its data folder (`StorePaths.sync_work`),
not the system temp folder, so what a killed process left there is removed at the next unlock
(app/services/unlock.py), by the next holder of the store's lock.
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyrage

from app.sync import keys
from app.sync.archive import Builder, Payload
from app.sync.container import CHUNK, BackgroundHash, BundleError, Cancelled, Header, Progress, file_sha256
from app.sync.spool import SequentialWriter, Spool


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


def build_payload(work: Workspace, fill: Callable[[Builder], None]) -> Path:
    path = work.path / "payload.zip"
    builder = Builder(path)
    try:
        fill(builder)
    finally:
        builder.close()
    return path


class HashingWriter(io.RawIOBase):
    """Counts and hashes what is written (into `digest`), passing it on to `raw`."""

    def __init__(self, raw, digest):
        self.raw = raw
        self.digest = digest
        self.size = 0
        self.failure: OSError | None = None  # what `raw` raised (age reports it wrapped in its own error)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        try:
            self.raw.write(data)
        except OSError as exc:
            self.failure = exc
            raise
        return len(data)


@dataclass(frozen=True)
class Sealed:
    ciphertext_size: int
    ciphertext_sha256: str

    def body_fields(self) -> dict:
        return {"ciphertext_size": self.ciphertext_size, "ciphertext_sha256": self.ciphertext_sha256}


PLACEHOLDER = Sealed(10 ** 18, "0" * 64)  # a manifest made with it is as long as any real one


def seal_into(out: BinaryIO, age_recipients: list[str], fill: Callable[[Builder], None],
              cancelled: Callable[[], bool] = lambda: False) -> Sealed:
    """Build the payload archive with `fill` and encrypt it into `out` as it is built, hashing the
    ciphertext: the plaintext is never stored, only handed over a few MiB at a time. age runs on a
    thread of its own, reading what the archive's writer hands over; a failure on either side
    stops the other, and the first one is raised here. `cancelled` is asked at every MiB handed
    over (and while the stick is too slow to take more), so a large file does not delay a cancel."""
    recipients = [keys.recipient(r) for r in age_recipients]
    pipe = Pipe(cancelled=cancelled)
    sealed: list[Sealed] = []

    def encrypt() -> None:
        writer = None
        try:
            with BackgroundHash() as digest:
                writer = HashingWriter(out, digest)
                with io.BufferedWriter(writer, CHUNK) as buffered:  # age writes 8 KiB at a time
                    pyrage.encrypt_io(io.BufferedReader(PipeReader(pipe), CHUNK), buffered, recipients)
                sealed.append(Sealed(writer.size, digest.hexdigest()))
        except BaseException as exc:  # noqa: BLE001 - handed to the building side, which raises it
            # a full stick: the OSError itself (disk_full), not age's wrapping of it
            pipe.fail(writer.failure if writer and writer.failure else exc)

    worker = threading.Thread(target=encrypt, name="age-encrypt", daemon=True)
    worker.start()
    try:
        writer = PipeWriter(pipe)
        builder = Builder(writer)
        try:
            fill(builder)
        finally:
            builder.close()
        writer.finish()
    except BaseException:
        pipe.stop.set()
        worker.join()
        raise
    worker.join()
    if not sealed:
        raise pipe.failure
    return sealed[0]


class Pipe:
    """Bytes handed from one thread to another in chunks of about CHUNK, at most `depth` waiting."""

    def __init__(self, depth: int = 8, cancelled: Callable[[], bool] = lambda: False):
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self.stop = threading.Event()  # the writing side gave up
        self.failure: BaseException | None = None  # why the reading side gave up
        self.cancelled = cancelled

    def fail(self, exc: BaseException) -> None:
        self.failure = exc

    def put(self, chunk: bytes | None) -> None:
        while True:
            if self.failure is not None:
                raise self.failure
            if self.cancelled():
                raise Cancelled()
            try:
                self.chunks.put(chunk, timeout=0.05)
                return
            except queue.Full:
                continue

    def get(self) -> bytes | None:
        while True:
            if self.stop.is_set():
                raise OSError("the payload was not finished")
            try:
                return self.chunks.get(timeout=0.05)
            except queue.Empty:
                continue


class PipeWriter(SequentialWriter):
    """The writing end of a `Pipe`."""

    def __init__(self, pipe: Pipe):
        super().__init__()
        self.pipe = pipe
        self.pending = bytearray()

    def take(self, view: memoryview) -> None:
        # a stored file comes in one write of its whole size: it goes over CHUNK by CHUNK, so the
        # queue holds at most its depth in MiB whatever the files
        if self.pending:
            top = CHUNK - len(self.pending)
            self.pending += view[:top]
            view = view[top:]
            if len(self.pending) < CHUNK:
                return
            self.pipe.put(bytes(self.pending))
            self.pending.clear()
        while len(view) >= CHUNK:
            self.pipe.put(bytes(view[:CHUNK]))
            view = view[CHUNK:]
        self.pending += view

    def finish(self) -> None:
        self.pipe.put(bytes(self.pending))
        self.pipe.put(None)  # the end
        self.pending.clear()


class PipeReader(io.RawIOBase):
    """The reading end of a `Pipe`."""

    def __init__(self, pipe: Pipe):
        self.pipe = pipe
        self.chunk = memoryview(b"")
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.chunk and not self.ended:
            chunk = self.pipe.get()
            self.ended = chunk is None
            self.chunk = memoryview(chunk or b"")
        n = min(len(buffer), len(self.chunk))
        buffer[:n] = self.chunk[:n]
        self.chunk = self.chunk[n:]
        return n


def body_fields(body: Path) -> dict:
    """The manifest's fields for a body not sealed by `seal_into` (a set-up package's plain ZIP)."""
    return {"ciphertext_size": body.stat().st_size, "ciphertext_sha256": file_sha256(body)}


def check_body_and_hash(path: Path, header: Header, progress: Progress | None = None) -> str:
    """Check the body's SHA-256 against the manifest and return the SHA-256 of the whole file, in one
    read (both hashes on threads of their own, beside the reading)."""
    done = 0
    with open(path, "rb", buffering=0) as fh:
        head = fh.read(header.body_offset)
        with BackgroundHash(head) as whole, BackgroundHash() as body:
            while chunk := fh.read(CHUNK):
                whole.update(chunk)
                body.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, header.body_size)
    if len(head) != header.body_offset or body.hexdigest() != header.manifest.get("ciphertext_sha256"):
        raise BundleError("body_hash", f"“{path.name}”的内容与清单中的校验值不符：数据包已损坏或被改动。")
    return whole.hexdigest()


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
