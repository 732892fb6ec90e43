"""Recovery codes in the BitLocker style: 48 digits, 8 groups of 6.

Each group is a multiple of 11 holding 16 bits, so the code carries 128 random bits and a single
mistyped digit or two swapped neighbours in a group is caught before any key is tried.
"""

from __future__ import annotations

import re
import secrets

from app.errors import InputError

GROUPS = 8


def generate() -> str:
    values = [secrets.randbelow(1 << 16) * 11 for _ in range(GROUPS)]
    return "-".join(f"{v:06d}" for v in values)


def normalise(code: str) -> str:
    """Canonical form `dddddd-…`; raises InputError naming the first bad group."""
    digits = re.sub(r"[\s\-－—]", "", code or "")
    if not digits.isdigit() or len(digits) != GROUPS * 6:
        raise InputError("bad_recovery_code", "恢复密钥应为48位数字（8组，每组6位），请核对后重新输入。")
    groups = [digits[i : i + 6] for i in range(0, len(digits), 6)]
    for index, group in enumerate(groups, start=1):
        value = int(group)
        if value % 11 or value // 11 >= 1 << 16:
            raise InputError("bad_recovery_code", f"恢复密钥第{index}组“{group}”有误，请核对这一组数字。", {"group": index})
    return "-".join(groups)


def to_secret(code: str) -> bytes:
    return normalise(code).replace("-", "").encode("ascii")
