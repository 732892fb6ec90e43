"""A second window on the same data directory: its unlock screen says the store is open elsewhere;
once the first window locks (and so closes the store), the second can unlock, and the first is the
one told to wait. Locking and unlocking again in one window keeps working."""

from __future__ import annotations

from ui_support import PASSWORD, screenshot, unlock_with

from app.storage.instance_lock import IN_USE_MESSAGE


def test_a_second_window_on_the_same_store_is_told_why_it_cannot_unlock(qtbot, unlocked, make_controller):
    first = unlocked
    second = make_controller()
    second.start()
    assert unlock_with(second, PASSWORD) is None
    window = second.unlock_window
    assert window.message.text() == IN_USE_MESSAGE and window.message.isVisible()
    assert window.unlock_button.isEnabled()  # no countdown: nothing was guessed
    screenshot(window, "unlock-store-in-use", window=True)

    first.lock()  # the lock screen closes the store and frees the data directory
    assert unlock_with(second, PASSWORD) is not None and second.store is not None
    assert unlock_with(first, PASSWORD) is None
    assert first.unlock_window.message.text() == IN_USE_MESSAGE

    second.lock()
    assert unlock_with(first, PASSWORD) is not None  # lock → unlock in one window, as every day
    first.lock()
    assert unlock_with(first, PASSWORD) is not None
