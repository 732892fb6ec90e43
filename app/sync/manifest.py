"""The bundle manifest: what it says, and the check that every field has the right shape."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.sync import keys
from app.sync.container import BundleError

KINDS = ("upward", "downward", "statistics", "setup")
GENESIS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX32 = re.compile(r"[0-9a-f]{32}")
SENDER_KEYS = {"office_id", "code", "name", "level", "parent_code", "sign_public", "age_recipient", "fingerprint"}
RECIPIENT_KEYS = {"office_id", "code", "fingerprint"}
TOP_KEYS = {"format", "kind", "bundle_id", "sender", "recipient", "seq", "prev_hash", "created_at", "versions",
            "practice", "full", "encryption", "counts", "ciphertext_size", "ciphertext_sha256"}


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def file_name(sender_code: str, recipient_code: str, seq: int | str) -> str:
    return f"{sender_code}_{recipient_code}_{seq}.jab"


def bad(name: str, what: str) -> BundleError:
    return BundleError("manifest_invalid", f"“{name}”的清单有误：{what}。")


def check(manifest: dict, name: str) -> None:
    """Shape only; who may send what is decided by the importer."""
    if set(manifest) != TOP_KEYS:
        raise bad(name, "字段不完整或有多余字段")
    if manifest["format"] != 1 or manifest["kind"] not in KINDS:
        raise bad(name, "格式或种类不受支持")
    if not isinstance(manifest["bundle_id"], str) or not HEX32.fullmatch(manifest["bundle_id"]):
        raise bad(name, "数据包编号无效")
    sender, recipient = manifest["sender"], manifest["recipient"]
    if not isinstance(sender, dict) or set(sender) != SENDER_KEYS or not isinstance(recipient, dict) or set(recipient) != RECIPIENT_KEYS:
        raise bad(name, "发送或接收单位信息不完整")
    if not all(isinstance(sender[k], str) for k in SENDER_KEYS - {"parent_code"}) or not isinstance(sender["parent_code"], str | None):
        raise bad(name, "发送单位信息类型不对")
    if not all(isinstance(v, str) for v in recipient.values()):
        raise bad(name, "接收单位信息类型不对")
    if not keys.valid_public(sender["sign_public"], sender["age_recipient"]):
        raise bad(name, "发送单位的公钥无效")
    if keys.fingerprint(sender["sign_public"], sender["age_recipient"]) != sender["fingerprint"]:
        raise bad(name, "发送单位的指纹与公钥不符")
    if type(manifest["seq"]) is not int or manifest["seq"] < 0:
        raise bad(name, "序号无效")
    if not isinstance(manifest["prev_hash"], str) or not HEX64.fullmatch(manifest["prev_hash"]):
        raise bad(name, "前一数据包的校验值无效")
    if not isinstance(manifest["ciphertext_sha256"], str) or not HEX64.fullmatch(manifest["ciphertext_sha256"]):
        raise bad(name, "内容校验值无效")
    if type(manifest["practice"]) is not bool or type(manifest["full"]) is not bool:
        raise bad(name, "标志位类型不对")
    if manifest["encryption"] not in ("age", "none") or (manifest["encryption"] == "none") != (manifest["kind"] == "setup"):
        raise bad(name, "只有设置包可以不加密")
    if not isinstance(manifest["versions"], dict) or not isinstance(manifest["counts"], dict):
        raise bad(name, "版本或计数信息无效")
    if not isinstance(manifest["created_at"], str):
        raise bad(name, "生成时间无效")
