"""Shared by the fuzz tests: the budget, what a clean refusal is, and a digest of every stored row."""

from __future__ import annotations

import hashlib
import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.errors import AppError

# Bounded fuzzing: each property runs a fixed number of examples with no per-example deadline
# (the 2-core CI machine is slow and variable); the whole fuzz suite stays under a minute.
# JIANTONG_FUZZ_SCALE=20 runs twenty times as many examples for a longer hunt on a developer's machine.
SCALE = float(os.environ.get("JIANTONG_FUZZ_SCALE", "1"))
_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
           HealthCheck.large_base_example, HealthCheck.filter_too_much]


def budget(examples: int) -> settings:
    # the bounded run is the same every time (derandomized: CI never fails on a new draw); a scaled
    # run draws new examples on every run, to find what the fixed ones do not
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None, database=None, derandomize=SCALE == 1,
                    suppress_health_check=_CHECKS)


FUZZ = budget(60)  # store-touching properties (imports, registrations): tens of milliseconds per example
FUZZ_CHEAP = budget(200)  # pure parsers: a few milliseconds per example

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TYPED = (AppError, DomainError)


def assert_clean(exc: BaseException) -> None:
    """Only the project's typed errors, each with a Chinese message for the user."""
    assert isinstance(exc, TYPED), f"untyped {type(exc).__name__}: {exc!r}"
    assert exc.code and CHINESE.search(exc.message), f"{exc.code}: no Chinese message: {exc.message!r}"


def store_digest(store) -> str:
    """sha256 over every row of every table: equal digests mean the store's content is unchanged."""
    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            rows = sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"'))
            digest.update(table.encode() + b"\0" + "\n".join(rows).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def mutations(size: int, hot: int | None = None) -> st.SearchStrategy:
    """1–3 byte-level edits of a blob of `size` bytes; `hot` biases offsets to the first `hot` bytes."""
    offset = st.integers(0, max(size - 1, 0))
    if hot:
        offset = st.one_of(st.integers(0, min(hot, size) - 1), offset)
    edit = st.one_of(
        st.tuples(st.just("flip"), offset, st.integers(1, 255)),
        st.tuples(st.just("cut"), offset, st.just(b"")),
        st.tuples(st.just("insert"), offset, st.binary(min_size=1, max_size=48)),
        st.tuples(st.just("delete"), offset, st.integers(1, 64)),
        st.tuples(st.just("overwrite"), offset, st.binary(min_size=1, max_size=16)),
    )
    return st.lists(edit, min_size=1, max_size=3)


def apply_mutations(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for kind, at, arg in edits:
        at = min(at, max(len(out) - 1, 0))
        if kind == "flip" and out:
            out[at] ^= arg
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = arg
        elif kind == "delete":
            del out[at:at + arg]
        elif kind == "overwrite":
            out[at:at + len(arg)] = arg
    return bytes(out)


# JSON values of every shape, for replacing fields of manifests, rules, scenarios and clues
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=20), st.sampled_from(["", "0", "-1", "../../etc/passwd", "{{ 7*7 }}", "张三", "2026-02-30"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=8)

# what tomllib can hand a loader: no null, but dates and times
toml_scalars = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False), st.text(max_size=20),
                         st.dates(), st.sampled_from(["", "../../etc/passwd", "{{ 7*7 }}", "-1", "filing", "wd"]))
toml_values = st.recursive(toml_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=8)


def paths_in(data, prefix=()) -> list[tuple]:
    """Every key path of a nested dict/list structure (lists by index)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_in(value, (*prefix, index))
    return found


def structural_edit(data, draw, values=json_values) -> object:
    """A deep copy of `data` with one key path replaced by any JSON value, deleted, or given a stray key."""
    import copy

    data = copy.deepcopy(data)
    paths = paths_in(data)
    path = draw(st.sampled_from(paths))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    kind = draw(st.sampled_from(["replace", "delete", "stray", "type_swap"]))
    last = path[-1]
    if kind == "replace":
        parent[last] = draw(values)
    elif kind == "delete":
        del parent[last]
    elif kind == "stray" and isinstance(parent[last], dict):
        parent[last][draw(st.text(min_size=1, max_size=10))] = draw(values)
    else:
        value = parent[last]
        swaps = {str: 1, int: "1", float: "1.5", bool: "true", list: {}, dict: []}
        parent[last] = swaps.get(type(value), "x")
    return data
