"""The pipe between the payload's ZIP builder and age (docs/BUNDLE.md §5: "1 MiB at a time through
a queue of at most 8 MiB"): a stored file entry, which zipfile writes in one piece of its whole
size (an attachment of up to 50 MB), goes over in chunks, and while age waits on a slow stick the
builder waits once the queue is full. Real parts: the real Pipe, the real ZIP builder, real age,
a real file."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
import tracemalloc

import pyrage
from pyrage import x25519

from app.sync import pack
from app.sync.archive import Payload
from app.sync.container import CHUNK

QUEUE_BOUND = 8 * CHUNK  # "a queue of at most 8 MiB"


def test_a_large_write_is_handed_over_in_chunks_of_at_most_a_mebibyte():
    pipe = pack.Pipe()
    pack.PipeWriter(pipe).write(bytes(3 * CHUNK + 5))  # as zipfile writes a stored file: whole
    sizes = [len(chunk) for chunk in list(pipe.chunks.queue)]
    assert sizes and max(sizes) <= CHUNK, sizes


def test_the_queue_never_holds_more_than_8_mib_while_age_is_slower():
    """age blocked on a slow stick: the builder must wait once about 8 MiB are queued."""
    pipe = pack.Pipe()
    writer = pack.PipeWriter(pipe)
    stopped: list[BaseException] = []

    def build() -> None:
        try:
            for _ in range(12):
                writer.write(bytes(16 * CHUNK))  # twelve 16 MiB attachments
        except OSError as exc:
            stopped.append(exc)

    builder = threading.Thread(target=build, daemon=True)
    builder.start()
    try:
        deadline = time.monotonic() + 10
        while pipe.chunks.qsize() < pipe.chunks.maxsize and builder.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        queued = sum(len(chunk) for chunk in list(pipe.chunks.queue))
    finally:
        pipe.fail(OSError("review: stop the builder"))
        builder.join(10)
    assert not builder.is_alive()
    assert queued <= QUEUE_BOUND + CHUNK, f"{queued / CHUNK:.0f} MiB waiting in the pipe"


def test_sealing_a_large_attachment_costs_memory_near_the_queue_not_a_multiple_of_the_file():
    """seal_into on one 48 MiB stored entry, into a real file: beyond the entry's own bytes the
    peak should be about the queue and age's buffers (about 16 MiB), not two copies of the entry."""
    identity = x25519.Identity.generate()
    data = os.urandom(48 * CHUNK)
    digest = hashlib.sha256(data).hexdigest()

    def fill(builder) -> None:
        builder.add_checked_file(digest, data)

    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            sealed = pack.seal_into(out, [str(identity.to_public())], fill)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        out.seek(0)
        body = out.read()
    assert len(body) == sealed.ciphertext_size and hashlib.sha256(body).hexdigest() == sealed.ciphertext_sha256
    payload = Payload(io.BytesIO(pyrage.decrypt(body, [identity])))
    assert payload.read(f"files/{digest}") == data  # the stream itself is right
    assert peak <= 32 * CHUNK, f"peak {peak / CHUNK:.0f} MiB beyond the 48 MiB entry"
