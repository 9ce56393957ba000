"""activities: split_voters, the vote distribution split by the voter's perspective

``split_voters``: the presenter, the console and the results export show the activity's
votes once per voter's perspective (``workshop.activities._split``). Off by default.

Revision ID: b3d5f7a9c1e2
Revises: d2a7c5e9f310
Create Date: 2026-12-03 08:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'b3d5f7a9c1e2'
down_revision = 'd2a7c5e9f310'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split_voters', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('split_voters')
