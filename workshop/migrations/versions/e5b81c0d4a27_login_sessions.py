"""login_sessions: one row per facilitator login, so logging out ends it everywhere

The session and remember-me cookies carry a random token; the row holds its SHA-256. Deleting
the row (logout, password change, timeout) makes copied cookies worthless.

Revision ID: e5b81c0d4a27
Revises: d7a4c2e91b3f
Create Date: 2026-12-02 16:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

import workshop.models

revision = 'e5b81c0d4a27'
down_revision = 'd7a4c2e91b3f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', workshop.models.UTCDateTime(), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
