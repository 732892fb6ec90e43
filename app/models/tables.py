"""The tables of the store. JSON columns hold small lists and maps the workflow rules define."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import SYNCED_TABLES, SyncedRecord, new_id, utcnow
from app.storage.rolekeys import RoleSealed


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
    term: str = ""  # 任期 as the roster gives it: "2021.3—2026.3"
    note: str = ""  # what a roster import could not map to a field, kept as "列名：值" lines


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
    # sealed to the role key: a staff password opens the store but not these (app/storage/rolekeys.py)
    name: str = Field(default="", sa_type=RoleSealed("reporter.name"))
    phone: str = Field(default="", sa_type=RoleSealed("reporter.phone"))
    id_number: str = Field(default="", sa_type=RoleSealed("reporter.id_number"))
    address: str = Field(default="", sa_type=RoleSealed("reporter.address"))


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
    # 补录 from an old 台账 (app/services/ledger_import.py): file, row, who, when, the steps passed without
    # their checks, the unmapped columns; {} for a case worked in this app
    backfill: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    next_due: date | None = Field(default=None, index=True)  # earliest running deadline, for lists
    next_due_title: str = ""


class CaseSubject(SyncedRecord, table=True):
    """被审查调查人: one person in one case, with the particulars documents and statistics print and
    how the case ended for them. The case goes on for everyone whose `outcome` is empty."""

    __tablename__ = "case_subject"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)
    case_id: str = Field(foreign_key="case.id", index=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    seq: int = 1  # order in the case: tabs, documents
    gender: str = ""
    birth: str = ""  # 出生年月, "1975-03"
    ethnicity: str = ""
    native_place: str = ""
    education: str = ""
    political_status: str = ""  # 中共党员 / 中共预备党员 / 群众 …
    party_joined: str = ""  # 入党时间, "1998-07"
    work_started: str = ""  # 参加工作时间
    unit_post: str = ""  # 工作单位及职务 at the time of the case
    category: str = ""  # 人员类别: 乡镇干部 / 村干部 / 事业单位人员 …
    supervision_object: bool = False  # 监察对象
    village_manager: bool = False  # 基层群众性自治组织中从事管理的人员 ([Z] 22)
    holds_party_post: bool = True
    deputy: str = ""  # 党代表 / 人大代表 / 政协委员, where they are one
    filed_on: date | None = None  # 立案 of this person
    supervision_filed_on: date | None = None  # 监察立案, approved by the 监察机关主要负责人 ([M] 42)
    supervision_approver: str = ""
    outcome: str = ""  # how the case ended for this person alone (workflow.SUBJECT_OUTCOMES)
    closed_on: date | None = None
    closed_reason: str = ""
    moved_to_case_id: str | None = Field(default=None, foreign_key="case.id")  # 分案 or 并案: where they go on
    fact_meeting_on: date | None = None  # 事实材料与本人见面
    statement: str = ""  # 本人对事实材料的意见
    articles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # 定性: [{"article", "plot"}]
    adjustments: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [{"kind", "basis"}]


class SubjectFact(SyncedRecord, table=True):
    """One established fact (查明的违纪事实) of one person, with the evidence it rests on."""

    __tablename__ = "subject_fact"
    case_id: str = Field(foreign_key="case.id", index=True)
    subject_id: str = Field(foreign_key="case_subject.id", index=True)
    seq: int
    occurred: str = ""  # 时间, as the report states it: "2025年1月至3月"
    narrative: str  # 经过
    amount: str = ""  # 金额（元）, decimal text where money is involved
    evidence_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attitude: str = ""  # 本人态度


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
    # 留党察看 only: "" while on probation, else 恢复党员权利 / 开除党籍 ([T] 12, [P] 21)
    probation_outcome: str = ""
    # the decisions on the 察看期 in order, incl. 延长一年 (app/domain/probation.ProbationAct.as_json)
    probation_acts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Document(SyncedRecord, table=True):
    """One version of a case document: rendered from a template, or an edited file stored back.

    Regenerating or storing an edit adds a row with doc_version + 1 and the same number; old rows stay.
    """

    __table_args__ = (UniqueConstraint("case_id", "template_id", "subject_id", "doc_version"),)
    case_id: str = Field(foreign_key="case.id", index=True)
    # the person a per-person document is about (立案决定书, 处分决定书 …); None for the case's own
    subject_id: str | None = Field(default=None, foreign_key="case_subject.id", index=True)
    template_id: str
    template_version: str
    title: str = ""
    number: str = Field(default="", index=True)
    doc_version: int = 1
    # 成文日期: the date of the act the document records, fixed at the first render and kept by every version
    issued_on: date | None = None
    voided_on: date | None = None  # 作废: the number stays used and the register shows it
    void_reason: str = ""
    voided_by: str = ""
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


class Evidence(SyncedRecord, table=True):
    """An item of the evidence list (证据目录); `subject_id` empty when it concerns the whole case."""

    case_id: str = Field(foreign_key="case.id", index=True)
    subject_id: str | None = Field(default=None, foreign_key="case_subject.id", index=True)
    seq: int
    kind: str  # 书证 / 证人证言 / 被审查调查人陈述 … (EVIDENCE_KINDS)
    title: str
    source: str = ""  # 来源: who provided it or where it was taken
    obtained_on: date | None = None
    pages: int = 0
    attachment_id: str | None = Field(default=None, foreign_key="attachment.id")


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
    kind: str  # review / consult / approval / take_over (提级办理)
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
        Office, Person, Clue, Reporter, ClueSubject, Case, CaseSubject, StepRecord, CollectiveStudy, Decision,
        DeadlineExtension, Sanction, Document, Attachment, Evidence, SubjectFact, Transfer, ReviewOpinion,
        StatisticsSnapshot,
    )
)
