"""An unlocked store: the engine, an audited session factory, the office and the signed-in account.

Built only after unlock (no module-level engine); `close()` disposes the engine so no pooled
connection keeps the key after lock, and releases the data directory's instance lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.errors import StoreError
from app.paths import StorePaths
from app.storage import audit
from app.storage.instance_lock import StoreLock


@dataclass(frozen=True)
class AccountInfo:
    id: str
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class OfficeInfo:
    id: str
    code: str
    name: str
    level: str
    parent_code: str | None


class Store:
    def __init__(self, paths: StorePaths, engine: Engine, office: OfficeInfo, account: AccountInfo, master_key: bytes,
                 instance_lock: StoreLock | None = None):
        self.paths = paths
        self.instance_lock = instance_lock
        self.master_key = master_key  # needed to seal slots for new accounts; dropped on close
        self.engine = engine
        self.office = office
        self.account = account
        self.factory = sessionmaker(engine, class_=Session, expire_on_commit=False)
        audit.install(self.factory)

    def session(self, *, read_only: bool = False) -> Session:
        if not self.master_key:
            raise StoreError("store_locked", "数据库已锁定，请重新解锁。")
        s = self.factory(bind=self.engine.execution_options(read_only=True)) if read_only else self.factory()
        s.info["office_id"] = self.office.id
        s.info["actor"] = self.account.name
        return s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One audited transaction: committed on success, rolled back on any error."""
        with self.session() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; closing it ends the transaction, loaded rows stay readable."""
        with self.session(read_only=True) as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()
        self.master_key = b""
        role = getattr(self.engine, "role_keys", None)
        if role is not None:  # the role key goes with the master key
            role.forget()
        if self.instance_lock is not None:
            self.instance_lock.release()
