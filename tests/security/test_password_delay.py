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
    assert unlock.throttle_state(paths) == {"failures": 0, "not_before": 0.0}
    assert wrong(paths, now + 1).detail["retry_after"] == 1


def test_a_removed_counter_is_the_longest_wait(tmp_path):
    # issue 18 §7: "A malformed or missing counter file is treated as the maximum delay". The counter
    # is kept from set-up on, so deleting it (to shed the wait) gains nothing.
    paths = make_township(tmp_path / "data")
    assert paths.throttle.exists()
    wrong(paths, T0)
    paths.throttle.unlink()
    with pytest.raises(AuthError) as refused:
        unlock.unlock(paths, None, PASSWORD, now=T0 + 5)
    assert refused.value.code == "throttled" and refused.value.detail["retry_after"] == unlock.MAX_DELAY_SECONDS
    unlock.unlock(paths, None, PASSWORD, now=T0 + 5 + unlock.MAX_DELAY_SECONDS).store.close()
    assert unlock.throttle_state(paths)["failures"] == 0


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


@pytest.mark.parametrize("content", [
    b'{"failures": 3, "not_before": "soon"}', b"{}", b'{"failures": "x", "not_before": 1}', b"not json \xff",
    b'{"failures": 1, "not_before": NaN}', b'[1, 2]', b'{"failures": true, "not_before": 0}',
])
def test_a_malformed_counter_is_the_longest_wait_not_a_crash(tmp_path, content):
    paths = make_township(tmp_path / "data")
    paths.throttle.write_bytes(content)
    with pytest.raises(AuthError) as refused:
        unlock.unlock(paths, None, PASSWORD, now=T0)  # the right password: not even tried
    assert refused.value.code == "throttled" and refused.value.detail["retry_after"] == unlock.MAX_DELAY_SECONDS
    assert "已损坏" in refused.value.message and "未尝试任何密码" in refused.value.message
    # the longest wait is written down, so it ends
    assert unlock.throttle_state(paths) == {"failures": unlock.MAX_FAILURES, "not_before": T0 + unlock.MAX_DELAY_SECONDS}
    with pytest.raises(AuthError):
        unlock.unlock(paths, None, PASSWORD, now=T0 + unlock.MAX_DELAY_SECONDS - 1)
    unlock.unlock(paths, None, PASSWORD, now=T0 + unlock.MAX_DELAY_SECONDS).store.close()


def test_a_planted_far_future_or_huge_counter_waits_no_longer_than_the_cap(tmp_path):
    paths = make_township(tmp_path / "data")
    paths.throttle.write_text('{"failures": 1000000000, "not_before": 1e300}')
    with pytest.raises(AuthError) as refused:
        unlock.unlock(paths, None, PASSWORD, now=T0)
    assert refused.value.detail["retry_after"] <= unlock.MAX_DELAY_SECONDS + 1
    # a wrong guess with a huge count: still the capped delay, computed at once
    paths.throttle.write_text('{"failures": 1000000000, "not_before": 0}')
    assert wrong(paths, T0).detail["retry_after"] == unlock.MAX_DELAY_SECONDS


def test_the_cli_goes_through_the_delay_in_its_own_process(tmp_path):
    from tests.security.security_support import cli

    data = tmp_path / "data"
    make_township(data)
    # four earlier failures whose wait is over: the next wrong one waits 16 s, longer than a process start
    (data / "unlock-throttle.json").write_text('{"failures": 4, "not_before": 0}')
    first = cli(data, "status", password="wrong-pass1")
    assert first.returncode != 0 and "请16秒后再试" in first.stderr
    second = cli(data, "status")  # at once, with the right password: refused without trying it
    assert second.returncode != 0 and "秒后再试" in second.stderr
    (data / "unlock-throttle.json").write_text('{"failures": 2, "not_before": "soon"}')
    third = cli(data, "status")
    assert third.returncode != 0 and "已损坏" in third.stderr and "Traceback" not in third.stderr
