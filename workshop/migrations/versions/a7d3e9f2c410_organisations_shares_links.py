"""organisations, roles, workshop shares, one-time account links, the workshop's results key

Existing accounts go into one default organisation; its first account becomes the admin. The
review link of an existing draft analysis keeps working: its key becomes the workshop's results key.

Revision ID: a7d3e9f2c410
Revises: b3d9e0a4f712
Create Date: 2026-12-03 08:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import workshop.models

revision = 'a7d3e9f2c410'
down_revision = 'b3d9e0a4f712'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', workshop.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='member', nullable=False))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    conn = op.get_bind()
    first = conn.execute(sa.text('SELECT min(id) FROM users')).scalar()
    if first is not None:
        conn.execute(
            sa.text("INSERT INTO organisations (name, created_at) VALUES ('', CURRENT_TIMESTAMP)")
        )
        org = conn.execute(sa.text('SELECT min(id) FROM organisations')).scalar()
        conn.execute(sa.text('UPDATE users SET organisation_id = :org'), {'org': org})
        conn.execute(sa.text("UPDATE users SET role = 'admin' WHERE id = :first"), {'first': first})

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key('fk_users_organisation_id', 'organisations', ['organisation_id'], ['id'])

    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_key', sa.String(length=64), nullable=True))
    conn.execute(
        sa.text(
            'UPDATE workshops SET results_key = '
            '(SELECT review_key FROM analyses WHERE analyses.workshop_id = workshops.id)'
        )
    )
    # Poll workshops had no link: they get one, as every new workshop does.
    import secrets

    for (wid,) in conn.execute(sa.text('SELECT id FROM workshops WHERE results_key IS NULL')).all():
        conn.execute(
            sa.text('UPDATE workshops SET results_key = :k WHERE id = :id'),
            {'k': secrets.token_urlsafe(24), 'id': wid},
        )

    op.create_table(
        'workshop_shares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_at', workshop.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workshop_id', 'user_id', name='uq_workshop_shares_workshop_user'),
    )
    with op.batch_alter_table('workshop_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_shares_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_shares_workshop_id'), ['workshop_id'], unique=False)

    op.create_table(
        'account_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', workshop.models.UTCDateTime(), nullable=False),
        sa.Column('expires_at', workshop.models.UTCDateTime(), nullable=False),
        sa.Column('used_at', workshop.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_links_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_links_organisation_id'))
    op.drop_table('account_links')
    with op.batch_alter_table('workshop_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_shares_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_shares_user_id'))
    op.drop_table('workshop_shares')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('results_key')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('fk_users_organisation_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))
        batch_op.drop_column('active')
        batch_op.drop_column('role')
        batch_op.drop_column('organisation_id')
    op.drop_table('organisations')
