"""Sealing a payload (ZIP → age ciphertext → signed, framed file) and opening one again.

Plain payload bytes exist only in a private temporary folder (owner-only) that is removed when
the work is done, never on the stick.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyrage

from app.sync import keys
from app.sync.archive import Builder, Payload
from app.sync.container import CHUNK, BundleError, Header, file_sha256


class Workspace:
    """A private temporary folder for one export or import."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="jiantong-sync-"))

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


def encrypt(plain: Path, age_recipients: list[str], out: Path) -> None:
    recipients = [keys.recipient(r) for r in age_recipients]
    with open(plain, "rb") as src, open(out, "wb") as dst:
        pyrage.encrypt_io(src, dst, recipients)


def body_fields(body: Path) -> dict:
    return {"ciphertext_size": body.stat().st_size, "ciphertext_sha256": file_sha256(body)}


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


def open_payload(path: Path, header: Header, identity: pyrage.x25519.Identity | None, work: Workspace) -> Payload:
    plain = work.path / "received.zip"
    if header.manifest.get("encryption") == "none":
        copy_plain_body(path, header, plain)
    else:
        decrypt(path, header, identity, plain)
    return Payload(plain)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
