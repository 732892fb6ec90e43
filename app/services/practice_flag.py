"""Whether a store is a practice store (练习模式): documents made in it carry the 练习 mark and a
practice number, and its bundles are refused. Its own module, so that documents and the volume
read it without depending on the practice room (services/practice.py builds on them)."""

from __future__ import annotations

from sqlmodel import Session

from app.services import ruleset

PRACTICE_SETTING = "practice_mode"


def is_practice_in(s: Session) -> bool:
    return ruleset.setting_in(s, PRACTICE_SETTING, False) is True
