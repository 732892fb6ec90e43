"""A working copy of a bundle's payload that is never plaintext on disk.

A payload is too large to hold in memory (hundreds of MB) and a ZIP must be read at random, so it
goes to a file in the private working folder, but only as AES-256-GCM chunks under a key that
exists in this process's memory alone: a crash, a kill or a copied disk leaves ciphertext nobody
can read, and the key is gone with the process. Chunk i is sealed with nonce i and, as associated
data, whether it is the last one, so chunks cannot be reordered, dropped or cut off unnoticed.
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHUNK = 256 * 1024
TAG = 16
SEALED = CHUNK + TAG


def nonce(index: int) -> bytes:
    return struct.pack(">4xQ", index)


class SpoolDamaged(OSError):
    """A chunk of the working copy does not open: the file was changed under us."""


class Spool:
    """Write once (sequentially), then read at random any number of times."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.size = 0
        self.chunks = 0
        self.sealed = False

    def writer(self) -> SpoolWriter:
        return SpoolWriter(self)

    def reader(self) -> io.BufferedReader:
        if not self.sealed:
            raise ValueError("spool not written yet")
        return io.BufferedReader(SpoolReader(self), CHUNK)

    def unlink(self) -> None:
        self.path.unlink(missing_ok=True)


class SequentialWriter(io.RawIOBase):
    """A stream written once from start to end, which knows its position (a ZIP writer asks for it):
    a subclass takes the bytes in `take`."""

    def __init__(self):
        super().__init__()
        self.position = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.position += len(view)
        self.take(view)
        return len(view)

    def take(self, view: memoryview) -> None:
        raise NotImplementedError


class SpoolWriter(SequentialWriter):
    def __init__(self, spool: Spool):
        super().__init__()
        self.spool = spool
        self.fh = open(spool.path, "wb")  # noqa: SIM115 - closed in close()
        os.chmod(spool.path, 0o600)
        self.pending = bytearray()

    def take(self, view: memoryview) -> None:
        # a chunk is sealed once a byte after it arrives: the last chunk is sealed as last, at close;
        # whole chunks of a large write are sealed straight from it, not copied through `pending`
        if self.pending or len(view) <= CHUNK:
            take = CHUNK - len(self.pending)
            self.pending += view[:take]
            view = view[take:]
            if not len(view):
                return
            self.seal(self.pending, last=False)
            self.pending = bytearray()
        while len(view) > CHUNK:
            self.seal(view[:CHUNK], last=False)
            view = view[CHUNK:]
        self.pending += view

    def seal(self, plain: bytes, *, last: bool) -> None:
        spool = self.spool
        self.fh.write(spool.aead.encrypt(nonce(spool.chunks), plain, b"last" if last else b""))
        spool.chunks += 1

    def close(self) -> None:
        if not self.closed:
            try:
                try:
                    self.seal(bytes(self.pending), last=True)
                finally:
                    self.fh.close()  # also when the disk is full: the error is the caller's to report
                self.spool.size = self.position
                self.spool.sealed = True
            finally:
                self.pending = bytearray()
                super().close()


class SpoolReader(io.RawIOBase):
    def __init__(self, spool: Spool):
        self.spool = spool
        self.fh = open(spool.path, "rb")  # noqa: SIM115 - closed in close()
        self.position = 0
        self.cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.spool.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.position = base + offset
        return self.position

    def chunk(self, index: int) -> bytes:
        if self.cached is not None and self.cached[0] == index:
            return self.cached[1]
        self.fh.seek(index * SEALED)
        sealed = self.fh.read(SEALED)
        last = index == self.spool.chunks - 1
        try:
            plain = self.spool.aead.decrypt(nonce(index), sealed, b"last" if last else b"")
        except InvalidTag as exc:
            raise SpoolDamaged("the working copy of the payload was changed on disk") from exc
        self.cached = (index, plain)
        return plain

    def readinto(self, buffer) -> int:
        if self.position >= self.spool.size:
            return 0
        index, start = divmod(self.position, CHUNK)
        data = self.chunk(index)[start:start + len(buffer)]
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.fh.close()
            super().close()
