"""What the desktop app says when a task fails: a full disk is the user's to fix, not an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from app.ui.errors import error_message


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full (every write fails with ENOSPC)")
def test_a_full_disk_is_told_as_such_not_as_an_internal_error():
    with pytest.raises(OSError) as caught:
        with open("/dev/full", "wb") as f:
            f.write(b"x" * 10)
    message = error_message(caught.value)
    assert message.startswith("磁盘空间不足") and "内部错误" not in message


def test_an_unexpected_error_is_named_an_internal_error():
    assert error_message(KeyError("x")).startswith("发生内部错误")
    assert error_message(InputError("bad", "请重试。")) == "请重试。"
