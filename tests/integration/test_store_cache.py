"""The larger page cache an import takes for its transaction stays with that transaction."""

from __future__ import annotations

from sqlmodel import select

from app.models import Person
from app.storage.engine import LARGE_CACHE, large_cache
from tests.integration.test_sync_roundtrip import opened


def cache_sizes(store, n: int) -> list[int]:
    """The cache size of n connections checked out at once (so the pool hands out each it holds)."""
    sessions = [store.session(read_only=True) for _ in range(n)]
    try:
        return [s.connection().exec_driver_sql("PRAGMA cache_size").scalar() for s in sessions]
    finally:
        for s in sessions:
            s.close()


def test_a_large_cache_returns_to_the_default_with_its_connection_after_commit_and_after_rollback(township):
    with opened(township) as store:
        before = cache_sizes(store, 3)
        assert LARGE_CACHE not in before
        with store.write() as s:
            large_cache(s)
            assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar() == LARGE_CACHE
            s.add(Person(owner_office_id=store.office.id, name="甲", unit="某村", person_key="cache-1"))
        assert cache_sizes(store, 3) == before
        try:
            with store.write() as s:
                large_cache(s)
                raise RuntimeError("the import fails")
        except RuntimeError:
            pass
        assert cache_sizes(store, 3) == before
        with store.read() as s:
            assert [p.name for p in s.exec(select(Person).where(Person.person_key == "cache-1")).all()] == ["甲"]
