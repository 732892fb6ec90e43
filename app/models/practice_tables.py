"""Practice-room tables: trainees' attempts and the scenarios a trainer imported.

They exist in every store (one schema) but only practice stores write them. They are not synced
records: practice data never leaves the training room (no owner office, not in SYNCED_TABLES).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.models.base import new_id, utcnow


def precise_now() -> datetime:
    """With microseconds: attempts are ordered by time, and a drill may follow within the same second."""
    return datetime.now(UTC)


class PracticeAttempt(SQLModel, table=True):
    """One trainee working one scenario once: a full run, or a 再练一次 drill of earlier misses."""

    __tablename__ = "practice_attempt"
    id: str = Field(default_factory=new_id, primary_key=True)
    trainee: str = Field(index=True)
    scenario_id: str = Field(index=True)
    scenario_version: str
    scenario_title: str
    mode: str = "full"  # full | drill
    focus: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # drill: point ids
    case_id: str = Field(foreign_key="case.id", index=True)
    started_at: datetime = Field(default_factory=precise_now)
    finished_at: datetime | None = None
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # point id -> first answer
    held: int = 0  # decisions held back because they left the reference path
    score: int | None = None
    total: int | None = None
    card: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # the ScoreCard as JSON


class PracticeScenario(SQLModel, table=True):
    """A scenario file a trainer imported (validated first); it overrides a shipped one with the same id."""

    __tablename__ = "practice_scenario"
    id: str = Field(primary_key=True)
    version: str
    title: str
    source_name: str
    text: str
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by: str = ""
