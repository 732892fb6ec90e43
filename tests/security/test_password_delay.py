"""Password guessing at this PC, through the real unlock (real KDF, real throttle file), on a clock the
test moves: each wrong password doubles the wait (1, 2, 4 … s) up to 60 s and no further; inside the
wait even the right password is turned away without being tried; after it, the right one opens and
clears the count. The same holds for the recovery code and for `passwd`. (The bare arithmetic:
tests/integration/test_store_security.py::test_delay_grows_and_is_capped.)"""

from __future__ import annotations

import pytest

from app.errors import AuthError
from app.services import unlock
from app.storage import recovery_code
from tests.security.security_support import PASSWORD, make_township

T0 = 1_000_000.0


def wrong(paths, now: float, *, recovery: bool = False) -> AuthError:
    with pytest.raises(AuthError) as refused:
        if recovery:
            unlock.recover(paths, None, recovery_code.generate(), "newpass2026", now=now)  # well-formed, not this store's
        else:
            unlock.unlock(paths, None, "wrong-pass1", now=now)
    return refused.value


def test_the_wait_doubles_and_is_capped_at_sixty_seconds(tmp_path):
    paths = make_township(tmp_path / "data")
    now, waits = T0, []
    for _ in range(9):
        refused = wrong(paths, now)
        assert refused.code == "wrong_password" and f"请{refused.detail['retry_after']}秒后再试" in refused.message
        waits.append(refused.detail["retry_after"])
        # inside the wait the right password is not even tried
        with pytest.raises(AuthError) as early:
            unlock.unlock(paths, None, PASSWORD, now=now + waits[-1] - 0.5)
        assert early.value.code == "throttled" and "秒后再试" in early.value.message
        now += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert unlock.throttle_state(paths)["failures"] == 9

    store = unlock.unlock(paths, None, PASSWORD, now=now).store  # after the wait: opens, and the count is cleared
    store.close()
    assert not paths.throttle.exists()
    assert wrong(paths, now + 1).detail["retry_after"] == 1


def test_recovery_code_and_password_change_share_the_delay(tmp_path):
    paths = make_township(tmp_path / "data")
    first = wrong(paths, T0, recovery=True)
    assert first.code == "wrong_recovery_code" and first.detail["retry_after"] == 1
    assert wrong(paths, T0 + 1).detail["retry_after"] == 2  # one counter for every secret of the store
    with pytest.raises(AuthError) as passwd:
        unlock.change_password(paths, None, "wrong-pass1", "another2026x", now=T0 + 3)
    assert passwd.value.detail["retry_after"] == 4
    with pytest.raises(AuthError) as early:
        unlock.change_password(paths, None, PASSWORD, "another2026x", now=T0 + 4)
    assert early.value.code == "throttled"
    unlock.change_password(paths, None, PASSWORD, "another2026x", now=T0 + 7)
    unlock.unlock(paths, None, "another2026x", now=T0 + 8).store.close()
