"""template checklist on the workshop; the facilitator's last console visit

Revision ID: b3d9e0a4f712
Revises: b7d3e5f9a1c4
Create Date: 2026-12-03 08:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import workshop.models


revision = 'b3d9e0a4f712'
down_revision = 'b7d3e5f9a1c4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=True))

    op.create_table('console_visits',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', workshop.models.UTCDateTime(), nullable=False),
    sa.Column('previous_at', workshop.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'user_id')
    )


def downgrade() -> None:
    op.drop_table('console_visits')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('checklist')
