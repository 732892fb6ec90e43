"""procedure corrections and legacy import

Revision ID: 0006
Revises: 0005

Each block below says what it adds and why.

A 留党察看 sanction records how its 察看期 ended (恢复党员权利, 延长一年, 开除党籍; [P] 21):
`sanction.probation_outcome` and `sanction.probation_acts`, empty for every existing row.

Legacy import (issue 19): `case.backfill` marks a case brought in from an old 台账 ({} otherwise),
`person.term` and `person.note` hold a roster's 任期 and its unmapped columns.

重复件 (issue 15): an index on a case's 重复检举控告 flag, so a clue's later repeat complaints are found
without reading every case.

上级转办 split from 上级交办 needs no operation here: after this upgrade the township's transferred clues
are re-sourced by app/services/legacy_sources.py, in audited writes, so the next bundle carries them.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # probation end (留党察看期满): the outcome and the acts on the 察看期
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('probation_outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('probation_acts', sa.JSON(), nullable=False, server_default='[]'))
    # legacy import (补录 of an old 台账, roster 任期)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backfill', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
    # 重复件: the case view finds the later repeat complaints of a clue through this index instead of
    # reading every case's state (app/services/repeat_complaints.repeated_by)
    op.execute('CREATE INDEX ix_case_repeat_flag ON "case" '
               """(json_extract(state, '$.fields."intake_register.repeat_complaint"'))""")


def downgrade() -> None:
    op.execute('DROP INDEX IF EXISTS ix_case_repeat_flag')
    # plain DROP COLUMN (SQLite 3.35+): a batch rebuild of person or case would drop a table that other
    # tables' foreign keys point at, which the store's foreign_keys=ON refuses
    for table, column in (("person", "note"), ("person", "term"), ("case", "backfill"),  # legacy import
                          ("sanction", "probation_acts"), ("sanction", "probation_outcome")):  # 留党察看期满
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
