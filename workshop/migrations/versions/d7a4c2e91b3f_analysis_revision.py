"""analyses: revision, bumped by every change of the draft

Screens show the draft analysis and its calculation through several activities; the
broadcaster builds both once per revision and hands them to every kind that shows them. The
revision lives in the database so that every process of a scale-out sees a change made by
another one.

Revision ID: d7a4c2e91b3f
Revises: c3e1d2a9b7f0
Create Date: 2026-12-02 12:30:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'd7a4c2e91b3f'
down_revision = 'c3e1d2a9b7f0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.drop_column('revision')
