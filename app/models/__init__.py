"""SQLModel tables: the shape of the data, nothing else."""

from app.models.tables import (  # noqa: F401
    Account,
    Attachment,
    AuditEvent,
    BundleReceipt,
    Case,
    CaseSubject,
    Clue,
    ClueSubject,
    CollectiveStudy,
    Counter,
    DeadlineExtension,
    Decision,
    Document,
    Evidence,
    Office,
    Person,
    Reporter,
    ReviewOpinion,
    Sanction,
    Setting,
    StatisticsSnapshot,
    StepRecord,
    SubjectFact,
    Transfer,
)
from app.models.base import SYNCED_TABLES, SyncedRecord  # noqa: F401
from app.models.sync_tables import BundleLog, OfficeKey  # noqa: F401
from app.models.practice_tables import PracticeAttempt, PracticeScenario  # noqa: F401
