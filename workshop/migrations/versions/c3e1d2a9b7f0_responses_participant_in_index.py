"""responses: participant in the current-answers index

Replacing a phone's answer marks its earlier one no longer current by (activity, generation,
participant). With the participant outside the index every replace scanned all current answers
of the activity: fine for a class, quadratic for an auditorium. The old index's columns stay
its prefix, so reading an activity's answers uses it as before.

Revision ID: c3e1d2a9b7f0
Revises: f4551bda72a5
Create Date: 2026-11-27 13:20:00.000000
"""
from alembic import op


revision = 'c3e1d2a9b7f0'
down_revision = 'f4551bda72a5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_activity_gen_current_participant',
                              ['activity_id', 'generation', 'current', 'participant_id'], unique=False)
        batch_op.drop_index('ix_responses_activity_gen_current')


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_activity_gen_current', ['activity_id', 'generation', 'current'], unique=False)
        batch_op.drop_index('ix_responses_activity_gen_current_participant')
