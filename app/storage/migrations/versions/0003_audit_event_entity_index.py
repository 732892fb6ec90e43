"""audit event entity index: a case's history without reading the whole audit chain

Revision ID: 0003
Revises: 0002

The 办理记录 tab of a case selects the audit events of the case's own rows
(`audit_event.entity IN (...)`, app/services/case_details.py). Without an index that reads every
audit event in the store — every flush of every case appends some, so a store with 10,000 cases
holds well over 100,000 — each time a case is opened: about 0.4 s at 150,000 events on the
development machine, against well under a millisecond with this index (docs/PERFORMANCE.md).
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_event_entity', 'audit_event', ['entity'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_event_entity', table_name='audit_event')
