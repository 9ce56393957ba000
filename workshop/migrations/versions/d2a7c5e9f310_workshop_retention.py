"""workshops: retention of participants' inputs (months after closing), when closed, when deleted

Revision ID: d2a7c5e9f310
Revises: c41d0e7f9a20
Create Date: 2026-12-03 08:10:00
"""
from alembic import op
import sqlalchemy as sa
import workshop.models


revision = 'd2a7c5e9f310'
down_revision = 'c41d0e7f9a20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', workshop.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('inputs_deleted_at', workshop.models.UTCDateTime(), nullable=True))
    # An archived workshop closed at its last change, as far as anyone can now tell.
    op.execute("UPDATE workshops SET closed_at = updated_at WHERE status = 'archived'")


def downgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('inputs_deleted_at')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('retention_months')
