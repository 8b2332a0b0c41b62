"""excel: uploaded workbooks kept between an import's preview and its confirmation

Revision ID: 9b28faa0b88a
Revises: c3d9e1a4b7f2
Create Date: 2026-11-23 17:05:56.384627

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b28faa0b88a'
down_revision = 'c3d9e1a4b7f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('excel_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_excel_uploads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_excel_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_excel_uploads_token'))
    )
    with op.batch_alter_table('excel_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_excel_uploads_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('excel_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_excel_uploads_user_id'))

    op.drop_table('excel_uploads')
