"""dashboard covering indexes

Revision ID: d5e8f2a1c9b3
Revises: 7df8a4741f75
Create Date: 2026-11-23 18:40:00

The dashboard's pipeline counts entries per township and year, and uses and withdrawals per
township and year; with these columns in the indexes, both are answered from the index alone.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5e8f2a1c9b3'
down_revision = '7df8a4741f75'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_live_entered')
        batch_op.create_index('ix_candidates_live_entered', ['is_deleted', 'entered_on', 'township_id', 'id'], unique=False)
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_status_changes_outcome')
        batch_op.create_index('ix_status_changes_outcome', ['to_status', 'created_dt', 'township_id', 'candidate_id'], unique=False)


def downgrade():
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_status_changes_outcome')
        batch_op.create_index('ix_status_changes_outcome', ['to_status', 'created_dt'], unique=False)
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_live_entered')
        batch_op.create_index('ix_candidates_live_entered', ['is_deleted', 'entered_on', 'id'], unique=False)
