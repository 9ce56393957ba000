"""activities: timer_closes, and revealed as the facilitator's three-way choice

``timer_closes``: when a countdown ends, phones may no longer answer (the default); False
keeps input open (the timer is only a signal). ``revealed`` becomes nullable: None = the
facilitator has not chosen (the presenter follows ``results_hidden``), True = shown, False =
hidden. Stored False (never revealed) becomes None.

Revision ID: e5b8f3a1c6d2
Revises: e5b81c0d4a27
Create Date: 2026-12-02 16:40:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = 'e5b8f3a1c6d2'
down_revision = 'e5b81c0d4a27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_closes', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.alter_column('revealed', existing_type=sa.Boolean(), nullable=True)
    op.execute(sa.text("UPDATE activities SET revealed = NULL WHERE revealed = :f").bindparams(f=False))


def downgrade() -> None:
    op.execute(sa.text("UPDATE activities SET revealed = :f WHERE revealed IS NULL").bindparams(f=False))
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.alter_column('revealed', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('timer_closes')
