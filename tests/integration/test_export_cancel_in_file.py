"""取消 pressed while one large attachment streams onto the stick stops the export within about a MiB
of it, not after the whole file (pack.Pipe asks at every MiB handed to age): nothing stays on the
stick and nothing is recorded."""

from __future__ import annotations

import pytest

from app.services import sync
from app.sync.container import Cancelled
from tests.integration.test_export_leftovers import township_with_files
from tests.integration.test_sync_roundtrip import opened
from tests.integration.test_sync_tamper import world  # noqa: F401

MIB = 1024 * 1024


def test_cancel_during_a_large_file_stops_within_it(world, tmp_path):
    township = township_with_files(world, tmp_path, 1, 24 * MIB)
    stick = tmp_path / "stick"
    stick.mkdir()
    seen = [0]

    def cancelled() -> bool:  # the user presses 取消 once 2 MiB of the bundle are on the stick
        written = max((p.stat().st_size for p in stick.iterdir()), default=0)
        seen[0] = max(seen[0], written)
        return written > 2 * MIB

    with opened(township) as store:
        before = sync.history(store)
        with pytest.raises(Cancelled):
            sync.export(store, "C01", stick, full=True, cancelled=cancelled)
        assert sync.history(store) == before
    assert list(stick.iterdir()) == []
    assert seen[0] < 12 * MIB, f"{seen[0] / MIB:.0f} MiB of a 24 MiB file written before the cancel was noticed"
