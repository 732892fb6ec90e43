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

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import InputError

STANDARD_MEMORY_KIB = 64 * 1024
STANDARD_LANES = 4
TARGET_SECONDS = 0.5
MAX_ITERATIONS = 32
PROFILES = ("standard", "fast")


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
            raise ValueError("unsupported kdf")
        return cls(
            profile=str(data["profile"]),
            memory_kib=int(data["memory_kib"]),
            iterations=int(data["iterations"]),
            lanes=int(data["lanes"]),
            salt=base64.b64decode(data["salt"], validate=True),
        )

    @property
    def weak(self) -> bool:
        return self.memory_kib < STANDARD_MEMORY_KIB


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


def calibrate_iterations(memory_kib: int = STANDARD_MEMORY_KIB, lanes: int = STANDARD_LANES) -> int:
    """Iterations that make one derivation take about TARGET_SECONDS on this PC.

    Cost is not linear in passes (memory set-up is paid once), so estimate from a short run,
    then measure the estimate once and scale again.
    """
    iterations = 2
    for _ in range(2):
        elapsed = timed_derive(KdfParams("standard", memory_kib, iterations, lanes, os.urandom(16)))
        iterations = max(2, min(MAX_ITERATIONS, round(iterations * TARGET_SECONDS / elapsed)))
    return iterations


def new_params(profile: str, iterations: int | None = None) -> KdfParams:
    """Fresh salt with the profile's cost; `iterations` reuses an earlier calibration."""
    if profile == "fast":
        return KdfParams("fast", 1024, 1, 1, os.urandom(16))
    if profile == "standard":
        return KdfParams(
            "standard",
            STANDARD_MEMORY_KIB,
            iterations or calibrate_iterations(),
            STANDARD_LANES,
            os.urandom(16),
        )
    raise InputError("bad_kdf_profile", f"未知的密钥派生配置“{profile}”，可选：standard、fast。")
