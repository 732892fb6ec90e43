"""case subjects: each person of a case with their particulars, facts, evidence and own outcome

Revision ID: 0004
Revises: 0003

Until 0003 a case knew its persons only through its clue (clue_subject), and every sanction was
proposed for the case as a whole and recorded against the clue's first person. This revision adds
`case_subject` (one row per person of a case), `subject_fact` and `evidence`, and rewrites each
case's engine state: `subjects` lists the case's persons, and each proposal names its person —
the first person, the one the old code recorded every sanction against, so nothing changes
meaning. Subject ids are derived from (case id, person id), so a township and the county that
holds a copy of its case migrate to the same rows and later bundles match.
"""

import json
import uuid
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


SUBJECT_NAMESPACE = uuid.UUID("6f1d2c1e-5b7a-4c38-9a57-0c4e2d9b8a10")


def subject_id(case_id: str, person_id: str) -> str:
    return uuid.uuid5(SUBJECT_NAMESPACE, f"{case_id}:{person_id}").hex


def fill_subjects(conn) -> None:
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    links = conn.execute(sa.text("""
        SELECT c.id, c.owner_office_id, c.filed_on, c.state, p.id, p.name, p.unit, p.post, p.category,
               p.political_status
        FROM "case" AS c
        JOIN clue_subject AS cs ON cs.clue_id = c.clue_id AND cs.deleted = 0
        JOIN person AS p ON p.id = cs.person_id
        ORDER BY c.id, cs.created_at, cs.id
    """)).all()
    by_case: dict[str, list] = {}
    for row in links:
        by_case.setdefault(row[0], []).append(row)
    for case_id, rows in by_case.items():
        subjects = []
        for seq, (_, owner, filed_on, _, person_id, name, unit, post, category, political) in enumerate(rows, start=1):
            sid = subject_id(case_id, person_id)
            subjects.append({"id": sid, "name": name, "outcome": "", "village_manager": False,
                             "holds_party_post": True, "qualified": False, "closed_on": None, "approver": "", "reason": ""})
            conn.execute(sa.text("""
                INSERT INTO case_subject (id, owner_office_id, version, created_at, updated_at, deleted, case_id,
                    person_id, seq, gender, birth, ethnicity, native_place, education, political_status,
                    party_joined, work_started, unit_post, category, supervision_object, village_manager,
                    holds_party_post, deputy, filed_on, supervision_filed_on, supervision_approver, outcome,
                    closed_on, closed_reason, moved_to_case_id, fact_meeting_on, statement, articles, adjustments)
                VALUES (:id, :owner, 1, :now, :now, 0, :case_id, :person_id, :seq, '', '', '', '', '', :political,
                    '', '', :unit_post, :category, 0, 0, 1, '', :filed_on, NULL, '', '', NULL, '', NULL, NULL, '',
                    '[]', '[]')
            """), {"id": sid, "owner": owner, "now": now, "case_id": case_id, "person_id": person_id, "seq": seq,
                   "political": political or "", "unit_post": f"{unit or ''}{post or ''}", "category": category or "",
                   "filed_on": filed_on})
        state = json.loads(rows[0][3])
        first = subjects[0]["id"]
        state["subjects"] = subjects
        state["sanctions"] = [{"subject": first, "type_id": t} if isinstance(t, str) else t
                              for t in state.get("sanctions", [])]
        conn.execute(sa.text('UPDATE "case" SET state = :state WHERE id = :id'),
                     {"state": json.dumps(state, ensure_ascii=False), "id": case_id})


def unfill_states(conn) -> None:
    for case_id, raw in conn.execute(sa.text('SELECT id, state FROM "case"')).all():
        state = json.loads(raw)
        state.pop("subjects", None)
        state["sanctions"] = list(dict.fromkeys(x["type_id"] if isinstance(x, dict) else x
                                                for x in state.get("sanctions", [])))
        conn.execute(sa.text('UPDATE "case" SET state = :state WHERE id = :id'),
                     {"state": json.dumps(state, ensure_ascii=False), "id": case_id})


def upgrade() -> None:
    op.create_table('case_subject',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('owner_office_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('birth', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ethnicity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('native_place', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('education', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('political_status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('party_joined', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('work_started', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit_post', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('supervision_object', sa.Boolean(), nullable=False),
    sa.Column('village_manager', sa.Boolean(), nullable=False),
    sa.Column('holds_party_post', sa.Boolean(), nullable=False),
    sa.Column('deputy', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('supervision_filed_on', sa.Date(), nullable=True),
    sa.Column('supervision_approver', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('moved_to_case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fact_meeting_on', sa.Date(), nullable=True),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('articles', sa.JSON(), nullable=False),
    sa.Column('adjustments', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['owner_office_id'], ['office.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['moved_to_case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'person_id')
    )
    with op.batch_alter_table('case_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_subject_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_subject_owner_office_id'), ['owner_office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_subject_person_id'), ['person_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('owner_office_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['owner_office_id'], ['office.id'], ),
    sa.ForeignKeyConstraint(['subject_id'], ['case_subject.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_owner_office_id'), ['owner_office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_subject_id'), ['subject_id'], unique=False)

    op.create_table('subject_fact',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('owner_office_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('occurred', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('narrative', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amount', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('attitude', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['owner_office_id'], ['office.id'], ),
    sa.ForeignKeyConstraint(['subject_id'], ['case_subject.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('subject_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_fact_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_fact_owner_office_id'), ['owner_office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_fact_subject_id'), ['subject_id'], unique=False)

    fill_subjects(op.get_bind())



def downgrade() -> None:
    unfill_states(op.get_bind())
    with op.batch_alter_table('subject_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_fact_subject_id'))
        batch_op.drop_index(batch_op.f('ix_subject_fact_owner_office_id'))
        batch_op.drop_index(batch_op.f('ix_subject_fact_case_id'))

    op.drop_table('subject_fact')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_subject_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_owner_office_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_case_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('case_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_subject_person_id'))
        batch_op.drop_index(batch_op.f('ix_case_subject_owner_office_id'))
        batch_op.drop_index(batch_op.f('ix_case_subject_case_id'))

    op.drop_table('case_subject')
