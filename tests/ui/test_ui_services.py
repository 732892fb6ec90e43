"""The two small services the GUI added: office settings and the recent audit events."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select
from ui_support import PASSWORD

from app.errors import AuthError, InputError
from app.models import Setting
from app.services import accounts, audit_log, settings, unlock


@pytest.fixture
def store(paths, recovery_code):
    opened = unlock.unlock(paths, None, PASSWORD).store
    yield opened
    opened.close()


def test_defaults_come_from_setup(store):
    values = settings.load(store)
    assert values == settings.OfficeSettings()
    assert values.auto_lock_minutes == 10


def test_save_writes_only_what_changed(store):
    before = audit_log.recent_events(store, 1)[0].seq
    saved = settings.save(store, replace(settings.load(store), auto_lock_minutes=5, font_body=" 仿宋 "))
    assert saved.font_body == "仿宋"
    assert settings.load(store) == saved
    events = audit_log.recent_events(store)
    assert sorted(e.entity for e in events if e.seq > before) == ["setting:auto_lock_minutes", "setting:font_body"]
    settings.save(store, saved)
    assert audit_log.recent_events(store, 1)[0].seq == events[0].seq


def test_problems_are_chinese_and_per_field(store):
    bad = settings.OfficeSettings(auto_lock_minutes=0, due_soon_working_days=True, font_title="", font_kai="楷\n体")
    found = settings.problems(bad)
    assert set(found) == {"auto_lock_minutes", "due_soon_working_days", "font_title", "font_kai"}
    assert found["auto_lock_minutes"] == "自动锁定时间（分钟）须为1到120之间的整数。"
    with pytest.raises(InputError) as exc:
        settings.save(store, bad)
    assert exc.value.detail["field"] == "auto_lock_minutes"
    assert settings.problems(replace(settings.OfficeSettings(), font_body="字" * 41)) == {"font_body": "字体名称过长：最多40个字符。"}


def test_damaged_values_read_as_defaults(store):
    with store.write() as s:
        row = s.get(Setting, "auto_lock_minutes")
        row.value = "ten"
        s.add(row)
        s.delete(s.exec(select(Setting).where(Setting.key == "font_kai")).one())
    values = settings.load(store)
    assert values.auto_lock_minutes == 10 and values.font_kai == "楷体_GB2312"


def test_only_admins_change_settings(store, paths):
    accounts.add_account(store, "李专干", "staff", "lizhuangan1")
    store.close()  # a data directory is open in one place at a time
    staff = unlock.unlock(paths, "李专干", "lizhuangan1").store
    try:
        with pytest.raises(AuthError):
            settings.save(staff, settings.OfficeSettings(auto_lock_minutes=3))
    finally:
        staff.close()


def test_recent_events_newest_first_and_limited(store):
    events = audit_log.recent_events(store, 3)
    assert len(events) == 3
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    assert events[0].action == "unlock"  # the fixture unlocked once after set-up
    assert "init" in {e.action for e in audit_log.recent_events(store)}
    assert len(audit_log.recent_events(store, 0)) == 1
