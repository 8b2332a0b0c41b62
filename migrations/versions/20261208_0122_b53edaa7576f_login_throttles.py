"""login throttles

Failed logins are counted in one row per username and per client address (``login_throttles``),
which a single statement can add to and refuse past the limit, instead of one row per attempt
(``login_attempts``) counted before each check, which let concurrent attempts past the limit.
The attempts' trail is not carried over: the audit log has every login and failed login with
its address, and counting starts afresh.

Revision ID: b53edaa7576f
Revises: a0b98c3549a6
Create Date: 2026-12-08 01:22:37.343584

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b53edaa7576f'
down_revision = 'a0b98c3549a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("scope IN ('username', 'address')", name=op.f('ck_login_throttles_scope_known')),
    sa.PrimaryKeyConstraint('scope', 'subject', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username_dt')

    op.drop_table('login_attempts')


def downgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_username_dt', ['username', 'created_dt'], unique=False)

    op.drop_table('login_throttles')
