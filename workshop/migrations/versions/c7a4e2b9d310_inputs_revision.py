"""activities.inputs_revision, responses.revision

Every transaction that writes an activity's stored inputs raises the activity's
``inputs_revision`` and gives the rows it writes that revision, so that a results round reads
only the rows that changed since it last read (``workshop.responses``).

Revision ID: c7a4e2b9d310
Revises: b3c9d2e7f150
Create Date: 2026-12-04 16:30:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'c7a4e2b9d310'
down_revision = 'b3c9d2e7f150'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs_revision', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_responses_activity_revision', ['activity_id', 'revision'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_activity_revision')
        batch_op.drop_column('revision')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('inputs_revision')
