"""Record ids: 32 hex digits as before, time-ordered (UUID version 7, RFC 9562) so new rows go to the
end of their id index."""

from __future__ import annotations

import time
import uuid

from app.models.base import new_id, new_ids


def test_ids_are_version_7_uuids_in_32_hex_digits_and_unique():
    ids = [new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    for i in ids[:100]:
        parsed = uuid.UUID(hex=i)
        assert len(i) == 32 and i == parsed.hex and parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_an_id_made_later_sorts_after_one_made_earlier():
    earlier = new_id()
    time.sleep(0.002)
    assert new_id() > earlier
    stamp = int(earlier[:12], 16)  # the first 48 bits: Unix milliseconds
    assert abs(stamp - time.time_ns() // 1_000_000) < 60_000


def test_ids_made_together_are_version_7_uuids_of_this_millisecond_and_unique():
    # new_ids sets the time, version and variant bytes of all ids at once (strided slices): every id
    # must still be a whole, valid one, none sharing its random bits with another
    before = time.time_ns() // 1_000_000
    ids = new_ids(5000)
    after = time.time_ns() // 1_000_000
    assert len(ids) == 5000 and len(set(ids)) == 5000 and new_ids(0) == []
    for i in ids:
        parsed = uuid.UUID(hex=i)
        assert len(i) == 32 and i == parsed.hex and parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert before <= int(i[:12], 16) <= after
    assert len({i[13:16] + i[17:] for i in ids}) == 5000  # the random bits differ between ids
