"""Password-to-key derivation for key slots (Argon2id from `cryptography`).

Two profiles: "standard" (≥ 64 MiB, iterations calibrated to about 0.5 s on this PC) for real
stores, and "fast" (tiny memory, one pass) for tests and the practice room only — `status`
reports it as weak.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import InputError

STANDARD_MEMORY_KIB = 64 * 1024
STANDARD_LANES = 4
TARGET_SECONDS = 0.5
MAX_ITERATIONS = 32
MIN_ITERATIONS = 2
PROFILES = ("standard", "fast")

# Bounds on what a slot may ask for when read: anyone who can write the folder can edit a slot,
# and 2**22 KiB or a million passes would make every unlock attempt a minute-long 4 GiB stall.
MIN_MEMORY_KIB = 1024
MAX_MEMORY_KIB = 256 * 1024
MAX_LANES = 16
SALT_BYTES = 16


class KdfBoundsError(ValueError):
    """A slot's parameters lie outside what this program ever writes."""


@dataclass(frozen=True)
class KdfParams:
    profile: str
    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    def to_json(self) -> dict:
        return {
            "name": "argon2id",
            "profile": self.profile,
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
            "salt": base64.b64encode(self.salt).decode(),
        }

    @classmethod
    def from_json(cls, data: dict) -> KdfParams:
        if data.get("name") != "argon2id":
            raise KdfBoundsError("unsupported kdf")
        numbers = {key: data[key] for key in ("memory_kib", "iterations", "lanes")}
        if any(isinstance(v, bool) or not isinstance(v, int) for v in numbers.values()):
            raise KdfBoundsError("kdf parameters must be integers")
        params = cls(
            profile=str(data["profile"]),
            memory_kib=numbers["memory_kib"],
            iterations=numbers["iterations"],
            lanes=numbers["lanes"],
            salt=base64.b64decode(data["salt"], validate=True),
        )
        params.check_bounds()
        return params

    def check_bounds(self) -> None:
        if not 1 <= self.lanes <= MAX_LANES:
            raise KdfBoundsError("lanes")
        if not max(MIN_MEMORY_KIB, 8 * self.lanes) <= self.memory_kib <= MAX_MEMORY_KIB:
            raise KdfBoundsError("memory")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise KdfBoundsError("iterations")
        if len(self.salt) != SALT_BYTES:
            raise KdfBoundsError("salt")

    @property
    def weak(self) -> bool:
        """Below the standard profile in any parameter (whatever the profile name says)."""
        return (self.profile != "standard" or self.memory_kib < STANDARD_MEMORY_KIB or self.iterations < MIN_ITERATIONS
                or self.lanes < 1 or len(self.salt) < SALT_BYTES)


def derive(secret: bytes, params: KdfParams) -> bytes:
    return Argon2id(
        salt=params.salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(secret)


def timed_derive(params: KdfParams) -> float:
    started = time.perf_counter()
    derive(b"calibration", params)
    return max(time.perf_counter() - started, 1e-3)


@cache
def this_pc_iterations() -> int:
    """The standard profile's passes measured on this PC, once per run: every new slot's cost comes
    from here, never from another slot (which anyone who can write the folder could have planted)."""
    return calibrate_iterations()


def calibrate_iterations(memory_kib: int = STANDARD_MEMORY_KIB, lanes: int = STANDARD_LANES) -> int:
    """Iterations that make one derivation take about TARGET_SECONDS on this PC.

    Cost is not linear in passes (memory set-up is paid once), so estimate from a short run,
    then measure the estimate once and scale again.
    """
    iterations = 2
    for _ in range(2):
        elapsed = timed_derive(KdfParams("standard", memory_kib, iterations, lanes, os.urandom(16)))
        iterations = max(MIN_ITERATIONS, min(MAX_ITERATIONS, round(iterations * TARGET_SECONDS / elapsed)))
    return iterations


def new_params(profile: str, iterations: int | None = None) -> KdfParams:
    """Fresh salt with the profile's cost; the standard passes are this PC's calibration
    (`iterations` only as a floor, e.g. the set-up's own measurement)."""
    if profile == "fast":
        return KdfParams("fast", 1024, 1, 1, os.urandom(SALT_BYTES))
    if profile == "standard":
        measured = this_pc_iterations() if iterations is None else iterations
        return KdfParams(
            "standard",
            STANDARD_MEMORY_KIB,
            max(MIN_ITERATIONS, min(MAX_ITERATIONS, measured)),
            STANDARD_LANES,
            os.urandom(SALT_BYTES),
        )
    raise InputError("bad_kdf_profile", f"未知的密钥派生配置“{profile}”，可选：standard、fast。")
