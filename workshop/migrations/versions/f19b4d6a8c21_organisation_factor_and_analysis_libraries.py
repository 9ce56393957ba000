"""libraries: the organisation's factor library and the analysis library

Revision ID: f19b4d6a8c21
Revises: a7d3e9f2c410
Create Date: 2026-12-03 08:50:00
"""
from alembic import op
import sqlalchemy as sa
import workshop.models


revision = 'f19b4d6a8c21'
down_revision = 'a7d3e9f2c410'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisation_factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('updated_at', workshop.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'name', name='uq_organisation_factors_name')
    )
    with op.batch_alter_table('organisation_factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_factors_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('published_analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', workshop.models.UTCDateTime(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('kept_participant_text', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_at', workshop.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('published_analyses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_analyses_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('published_analyses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_analyses_organisation_id'))
    op.drop_table('published_analyses')
    with op.batch_alter_table('organisation_factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_factors_organisation_id'))
    op.drop_table('organisation_factors')
