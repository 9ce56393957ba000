"""analyses: uncertainty per area (Osäkerhet, qualitative)

The seven-step edition of the method assesses uncertainty in words, per area: each area gets a
level (låg, medel, hög) and a motivation. Stored with the analysis as a list, like the
comparison table.

Revision ID: b7d3e5f9a1c4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-03 08:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'b7d3e5f9a1c4'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uncertainty', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.drop_column('uncertainty')
