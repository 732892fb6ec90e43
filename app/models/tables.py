"""The tables of the store. JSON columns hold small lists and maps the workflow rules define."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import SYNCED_TABLES, SyncedRecord, new_id, utcnow


class Office(SyncedRecord, table=True):
    code: str = Field(unique=True, max_length=32)
    name: str
    abbr: str = ""  # 代字 used in numbers such as X纪立〔2026〕3号
    level: str  # township / county / city
    parent_code: str | None = None


class Account(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(unique=True)
    role: str  # admin / staff
    disabled: bool = False
    must_change_password: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: object = Field(sa_column=Column(JSON, nullable=False))


class Counter(SQLModel, table=True):
    """Gap-free sequence per office, kind and year (clue numbers, document numbers)."""

    office_id: str = Field(foreign_key="office.id", primary_key=True)
    kind: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    value: int = 0


class Person(SyncedRecord, table=True):
    """被反映人 and cadres: the integrity archive (廉政档案)."""

    name: str = Field(index=True)
    unit: str = ""
    post: str = ""
    rank: str = ""
    category: str = ""
    political_status: str = ""
    id_number: str = ""
    person_key: str = Field(index=True)


class Clue(SyncedRecord, table=True):
    __table_args__ = (UniqueConstraint("owner_office_id", "number"),)
    number: str
    received_on: date = Field(index=True)
    source: str
    incoming_no: str = ""
    summary: str = ""
    categories: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    leader_instruction: str = ""
    real_name: bool = False  # whether the reporter signed; the identity itself lives in Reporter
    handling_mode: str = "自办"
    transferred_from_office_id: str | None = Field(default=None, foreign_key="office.id")
    is_demo: bool = False


class Reporter(SyncedRecord, table=True):
    """举报人 identity: the most sensitive data; admins only, every view audited."""

    clue_id: str = Field(foreign_key="clue.id", unique=True)
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""


class ClueSubject(SyncedRecord, table=True):
    __tablename__ = "clue_subject"
    __table_args__ = (UniqueConstraint("clue_id", "person_id"),)
    clue_id: str = Field(foreign_key="clue.id", index=True)
    person_id: str = Field(foreign_key="person.id", index=True)


class Case(SyncedRecord, table=True):
    """A clue's whole life from registration to archive; `state` is the workflow engine's state."""

    clue_id: str = Field(foreign_key="clue.id", unique=True)
    number: str = ""  # 立案 number once filed
    stage: str = Field(index=True)
    step_id: str = Field(index=True)
    step_entered_on: date
    route: str = ""  # 乡案县审 / 乡镇报批 once chosen
    outcome: str = ""
    filed_on: date | None = None
    closed_on: date | None = None
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    next_due: date | None = Field(default=None, index=True)  # earliest running deadline, for lists
    next_due_title: str = ""


class StepRecord(SyncedRecord, table=True):
    """One visit of a case to a step (a talk round or a return to investigation is a new visit)."""

    __tablename__ = "step_record"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    case_id: str = Field(foreign_key="case.id", index=True)
    seq: int
    step_id: str
    entered_on: date
    checklist: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    completed_on: date | None = None
    completed_by: str = ""
    decision_id: str = ""


class CollectiveStudy(SyncedRecord, table=True):
    __tablename__ = "collective_study"
    case_id: str = Field(foreign_key="case.id", index=True)
    step_id: str
    held_on: date
    attendees: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conclusion: str = ""


class Decision(SyncedRecord, table=True):
    case_id: str = Field(foreign_key="case.id", index=True)
    step_id: str
    decision_id: str
    decided_on: date = Field(index=True)
    approver: str = ""
    decided_by: str = ""


class DeadlineExtension(SyncedRecord, table=True):
    __tablename__ = "deadline_extension"
    case_id: str = Field(foreign_key="case.id", index=True)
    deadline_id: str
    length: int
    unit: str
    approved_by: str
    approved_on: date
    reason: str = ""


class Sanction(SyncedRecord, table=True):
    case_id: str = Field(foreign_key="case.id", index=True)
    person_id: str | None = Field(default=None, foreign_key="person.id", index=True)
    type_id: str
    kind: str
    form: int
    decided_on: date | None = Field(default=None, index=True)
    effect_end: date | None = None
    approving_body: str = ""
    document_no: str = ""


class Document(SyncedRecord, table=True):
    """One version of a case document: rendered from a template, or an edited file stored back.

    Regenerating or storing an edit adds a row with doc_version + 1 and the same number; old rows stay.
    """

    __table_args__ = (UniqueConstraint("case_id", "template_id", "doc_version"),)
    case_id: str = Field(foreign_key="case.id", index=True)
    template_id: str
    template_version: str
    title: str = ""
    number: str = Field(default="", index=True)
    doc_version: int = 1
    issued_on: date | None = None  # the date the document carries (成文日期), for the 卷内目录
    origin: str = "rendered"  # rendered / edited
    practice: bool = False
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    sha256: str
    created_by: str = ""


class Attachment(SyncedRecord, table=True):
    case_id: str = Field(foreign_key="case.id", index=True)
    name: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int
    sha256: str


class Transfer(SyncedRecord, table=True):
    """上级转办: a clue the county assigns to a township (owned by the county)."""

    clue_id: str = Field(foreign_key="clue.id", index=True)
    to_office_id: str = Field(foreign_key="office.id", index=True)
    assigned_on: date
    note: str = ""


class ReviewOpinion(SyncedRecord, table=True):
    """County review opinion (乡案县审) or 批复 (乡镇报批), owned by the county."""

    __tablename__ = "review_opinion"
    case_id: str = Field(foreign_key="case.id", index=True)
    kind: str  # review / approval
    number: str
    issued_on: date
    conclusion: str = ""
    text: str = ""


class StatisticsSnapshot(SyncedRecord, table=True):
    """Indicators of one office for one period, as a county forwards them to the city (never case content)."""

    __tablename__ = "statistics_snapshot"
    __table_args__ = (UniqueConstraint("owner_office_id", "office_code", "period_from", "period_to"),)
    office_code: str = Field(index=True)
    office_name: str
    level: str
    parent_code: str | None = None
    period_from: date
    period_to: date
    indicators: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    computed_on: date


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained per office (DESIGN §4)."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("office_id", "seq"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    office_id: str = Field(index=True)  # no foreign key: other offices' events arrive by bundle
    seq: int
    at: str
    account: str
    action: str
    entity: str = Field(index=True)  # a case's history selects its rows' events (migration 0003)
    summary: str
    prev_hash: str
    hash: str


class BundleReceipt(SQLModel, table=True):
    __tablename__ = "bundle_receipt"
    __table_args__ = (UniqueConstraint("from_office_id", "to_office_id", "seq"),)
    id: str = Field(default_factory=new_id, primary_key=True)
    bundle_id: str = Field(unique=True)
    from_office_id: str = Field(foreign_key="office.id")
    to_office_id: str = Field(foreign_key="office.id")
    seq: int
    sha256: str
    received_at: datetime = Field(default_factory=utcnow)
    status: str = "applied"


SYNCED_TABLES.extend(
    t.__tablename__
    for t in (
        Office, Person, Clue, Reporter, ClueSubject, Case, StepRecord, CollectiveStudy, Decision,
        DeadlineExtension, Sanction, Document, Attachment, Transfer, ReviewOpinion, StatisticsSnapshot,
    )
)
