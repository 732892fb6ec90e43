"""Schema versions through Alembic. Before an upgrade the encrypted file is copied aside."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.paths import StorePaths
from app.storage.atomic import atomic_copy
from app.storage.engine import checkpoint

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def head_revision() -> str:
    """Fixed for a given program: the migrations ship with it (cached, every bundle import asks)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, paths: StorePaths) -> str | None:
    """Bring the store to the head revision; returns the path of the safety copy if one was made."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    copy = None
    if current is not None:
        checkpoint(engine)
        paths.migration_backups.mkdir(exist_ok=True)
        copy = paths.migration_backups / f"store-{current}.db"
        atomic_copy(paths.db, copy)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return str(copy) if copy else None


def cipher_integrity(engine: Engine) -> list[str]:
    """SQLCipher's page HMAC check; an empty list means every page authenticated."""
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("PRAGMA cipher_integrity_check"))]
