"""workshops: state_revision

Bumped in the transaction of every change of what phones are told of a workshop (its columns,
its activities, whether its draft's two alternatives are written), so that a phone connecting
reads one column instead of every activity (``workshop.realtime.phone_view``).

Revision ID: b3c9d2e7f150
Revises: f19b4d6a8c21
Create Date: 2026-12-03 18:10:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'b3c9d2e7f150'
down_revision = 'f19b4d6a8c21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('state_revision')
