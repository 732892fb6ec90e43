"""per-person documents and 作废

Revision ID: 0005
Revises: 0004

A document may be about one person of a case (`subject_id`: the 立案决定书 or the 处分决定书 of
each person, numbered on its own), so versions are counted per template and person. A document
can be voided (作废): its number stays used and the register and the dossier show it as voided.
Existing documents keep subject_id NULL (the case's own), which is what they were.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# 0001 created the unique constraint without a name; this names it so the batch rebuild can drop it
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('voided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('voided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.drop_constraint('uq_document_case_id_template_id_doc_version', type_='unique')
        batch_op.create_unique_constraint('uq_document_case_id_template_id_subject_id_doc_version',
                                          ['case_id', 'template_id', 'subject_id', 'doc_version'])
        batch_op.create_foreign_key('fk_document_subject_id_case_subject', 'case_subject', ['subject_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_document_subject_id'), ['subject_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_subject_id'))
        batch_op.drop_constraint('uq_document_case_id_template_id_subject_id_doc_version', type_='unique')
        batch_op.drop_constraint('fk_document_subject_id_case_subject', type_='foreignkey')
        batch_op.create_unique_constraint('uq_document_case_id_template_id_doc_version', ['case_id', 'template_id', 'doc_version'])
        batch_op.drop_column('voided_by')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_on')
        batch_op.drop_column('subject_id')
