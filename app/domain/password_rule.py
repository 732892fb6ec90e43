"""The password strength rule shown in the set-up wizard and enforced by every service."""

from __future__ import annotations

MIN_LENGTH = 8
RULE_TEXT = "密码至少8位，且须同时包含字母和数字。"


def password_problem(password: str) -> str | None:
    """None when acceptable, else the Chinese sentence that says what is missing."""
    if len(password) < MIN_LENGTH:
        return f"密码太短：至少需要{MIN_LENGTH}位。" + RULE_TEXT
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "密码须同时包含字母和数字。"
    return None
