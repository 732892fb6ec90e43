"""The bundle file: magic and version, a signed manifest, the Ed25519 signature, then the body.

    offset  size  content
    0       8     magic b"JABUNDLE"
    8       2     format version, big-endian (1)
    10      4     manifest length M, big-endian (at most 1 MiB)
    14      M     manifest: UTF-8 JSON object, perhaps followed by spaces (`write_streamed`)
    14+M    64    Ed25519 signature over SIGN_CONTEXT + bytes 0 … 14+M
    78+M    …     body: the age ciphertext (a plain ZIP only in a set-up package), exactly
                  manifest["ciphertext_size"] bytes with SHA-256 manifest["ciphertext_sha256"]

The signature covers the manifest, the manifest covers the body's hash: checking the signature
and then the hash authenticates every byte of the file before anything is decrypted.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import InputError
from app.storage.atomic import atomic_write
from app.sync import keys, limits

MAGIC = b"JABUNDLE"
FORMAT_VERSION = 1
PREFIX = struct.Struct(">8sHI")
SIGNATURE_SIZE = 64
SIGN_CONTEXT = b"jiantong-bundle-v1\x00"
CHUNK = 1024 * 1024

Progress = Callable[[int, int], None]


class BundleError(InputError):
    """A bundle that cannot be taken; the code names the check that failed."""


@dataclass(frozen=True)
class Header:
    manifest: dict
    signed: bytes  # the bytes the signature covers (without SIGN_CONTEXT)
    signature: bytes
    body_offset: int
    body_size: int


def canonical(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class BackgroundHash:
    """A SHA-256 computed on a thread of its own, used as a context manager (which ends the thread):
    hashlib lets go of the GIL and age does not, so an export's passes of hashing run beside its
    encryption and writing. `update` hands over a copy of the bytes; `hexdigest` waits for them all."""

    def __init__(self, head: bytes = b""):
        self.digest = hashlib.sha256(head)
        self.result: str | None = None
        self.pending = bytearray()  # small updates (age writes 8 KiB at a time) go over together
        self.chunks: queue.Queue[bytearray | None] = queue.Queue(maxsize=16)
        self.thread = threading.Thread(target=self.run, name="sha256", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            self.digest.update(chunk)

    def update(self, data) -> None:
        if not self.pending and len(data) >= CHUNK:
            self.chunks.put(bytes(data))
            return
        self.pending += data
        if len(self.pending) >= CHUNK:
            self.chunks.put(self.pending)
            self.pending = bytearray()

    def hexdigest(self) -> str:
        if self.result is None:
            self.chunks.put(self.pending)
            self.chunks.put(None)
            self.thread.join()
            self.result = self.digest.hexdigest()
        return self.result

    def __enter__(self) -> BackgroundHash:
        return self

    def __exit__(self, *_exc) -> None:
        self.hexdigest()


def file_sha256(path: Path, offset: int = 0, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size - offset
    done = 0
    with open(path, "rb") as fh:
        fh.seek(offset)
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def read_header(path: Path) -> Header:
    """Parse the framing; raises BundleError for anything that is not a whole, well-formed bundle."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            prefix = fh.read(PREFIX.size)
            if len(prefix) < PREFIX.size:
                raise BundleError("bundle_truncated", f"“{path.name}”不完整（文件过短），不是有效的数据包。")
            magic, version, length = PREFIX.unpack(prefix)
            if magic != MAGIC:
                raise BundleError("not_a_bundle", f"“{path.name}”不是纪案通数据包（文件标识不符）。")
            if version != FORMAT_VERSION:
                raise BundleError("bundle_version", f"“{path.name}”的格式版本为{version}，本软件只能读取版本{FORMAT_VERSION}，请升级软件。")
            if length > limits.MAX_MANIFEST or PREFIX.size + length + SIGNATURE_SIZE > size:
                raise BundleError("bundle_truncated", f"“{path.name}”不完整或已损坏（清单长度不符）。")
            raw = fh.read(length)
            signature = fh.read(SIGNATURE_SIZE)
    except OSError as exc:
        raise BundleError("bundle_unreadable", f"无法读取“{path}”：{exc.strerror or exc}。") from exc
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: "[[[[…" nested deeply
        raise BundleError("manifest_invalid", f"“{path.name}”的清单已损坏，无法读取。") from exc
    if not isinstance(manifest, dict):
        raise BundleError("manifest_invalid", f"“{path.name}”的清单已损坏，无法读取。")
    body_offset = PREFIX.size + length + SIGNATURE_SIZE
    body_size = manifest.get("ciphertext_size")
    if type(body_size) is not int or body_offset + body_size != size:
        raise BundleError("bundle_truncated", f"“{path.name}”的长度与清单不符：文件被截断、被追加了内容或已损坏。")
    return Header(manifest, prefix + raw, signature, body_offset, body_size)


def check_signature(header: Header, sign_public: str, name: str) -> None:
    if not keys.verify(sign_public, header.signature, SIGN_CONTEXT + header.signed):
        raise BundleError("bad_signature", f"“{name}”的签名无效：数据包被改动过，或不是由所称单位签发的。")


def check_body(path: Path, header: Header, progress: Progress | None = None) -> None:
    if file_sha256(path, header.body_offset, progress) != header.manifest.get("ciphertext_sha256"):
        raise BundleError("body_hash", f"“{path.name}”的内容与清单中的校验值不符：数据包已损坏或被改动。")


def write(target: Path, manifest: dict, own: keys.OwnKeys, body: Path) -> str:
    """Write the framed, signed bundle to `target` atomically; returns the file's SHA-256.

    `manifest` must already hold ciphertext_size and ciphertext_sha256 of `body`.
    """
    raw = canonical(manifest)
    if len(raw) > limits.MAX_MANIFEST:
        raise BundleError("manifest_too_large", "数据包清单过大。")
    prefix = PREFIX.pack(MAGIC, FORMAT_VERSION, len(raw))
    signature = own.sign(SIGN_CONTEXT + prefix + raw)

    def copy(out) -> None:
        with open(body, "rb") as src:
            for part in (prefix, raw, signature):
                out.write(part)
            while chunk := src.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)

    with BackgroundHash(prefix + raw + signature) as digest:
        atomic_write(target, copy)
        return digest.hexdigest()


MANIFEST_SLACK = 256  # room beyond a placeholder manifest's length, for counts written with more digits


def write_streamed(target: Path, own: keys.OwnKeys, room: int, body: Callable[[BinaryIO], dict]) -> None:
    """Write a framed, signed bundle to `target` atomically when its body is written first:
    `body(out)` streams it into `out` and only then returns the manifest, which is signed and put in
    the `room` + MANIFEST_SLACK bytes kept in front of it, padded with spaces (JSON whitespace, so
    the manifest reads the same). `room`: the length of a manifest made with placeholders as long as
    any real values. The file's SHA-256 comes from the read-back, which reads it whole anyway."""
    length = room + MANIFEST_SLACK
    if length > limits.MAX_MANIFEST:
        raise BundleError("manifest_too_large", "数据包清单过大。")

    def write(out) -> None:
        out.write(bytes(PREFIX.size + length + SIGNATURE_SIZE))
        raw = canonical(body(out))
        if len(raw) > length:
            raise BundleError("manifest_too_large", "数据包清单过大。")
        signed = PREFIX.pack(MAGIC, FORMAT_VERSION, length) + raw + b" " * (length - len(raw))
        out.seek(0)
        out.write(signed + own.sign(SIGN_CONTEXT + signed))

    atomic_write(target, write)


def drop_cache(path: Path) -> None:
    """Ask the OS to forget cached pages so a read-back comes from the stick, not from memory."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


class Cancelled(InputError):
    def __init__(self, message: str = "已取消，没有写出数据包，数据库未改动。"):
        super().__init__("cancelled", message)
