"""posts: trial posts, batches, placements, rotation plans

Revision ID: 47a3f3272019
Revises: 443c0794453d
Create Date: 2026-11-23 17:20:00

On PostgreSQL an exclusion constraint keeps a candidate's placements from overlapping (the
backstop behind the checks the app makes under its write lock); townships that exist already
get the ten windows of their service centre, as new ones do.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47a3f3272019'
down_revision = '443c0794453d'
branch_labels = None
depends_on = None

# Frozen here as they were when this revision was written (帮办代办 first).
WINDOWS = ("帮办代办", "党政综合", "村镇规划", "社会保障", "民政救助", "财政一卡通", "农牧林水",
           "卫生计生", "退役军人", "网格服务")


def upgrade():
    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_on >= start_on', name=op.f('ck_batches_dates_ordered')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_batches_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('township_id', 'name', name=op.f('uq_batches_township_id_name'))
    )

    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_township_id'), ['township_id'], unique=False)

    op.create_table('rotation_plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('min_months', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('party_secretary', 'committee_director', 'committee_member', 'township_reserve')", name=op.f('ck_rotation_plan_items_direction_known')),
    sa.CheckConstraint("kind IN ('window', 'cross_village', 'township_shadow', 'frontline')", name=op.f('ck_rotation_plan_items_kind_known')),
    sa.CheckConstraint('min_months >= 1', name=op.f('ck_rotation_plan_items_months_positive')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_rotation_plan_items_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_plan_items')),
    sa.UniqueConstraint('township_id', 'direction', 'kind', name=op.f('uq_rotation_plan_items_township_id_direction_kind'))
    )

    with op.batch_alter_table('rotation_plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_plan_items_township_id'), ['township_id'], unique=False)

    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('host', sa.String(length=100), nullable=False),
    sa.Column('host_village_id', sa.Integer(), nullable=True),
    sa.Column('supervisor', sa.String(length=60), nullable=False),
    sa.Column('duties', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('window', 'cross_village', 'township_shadow', 'frontline')", name=op.f('ck_posts_kind_known')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_posts_capacity_positive')),
    sa.ForeignKeyConstraint(['host_village_id'], ['villages.id'], name=op.f('fk_posts_host_village_id_villages')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_posts_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('township_id', 'name', name=op.f('uq_posts_township_id_name'))
    )

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posts_host_village_id'), ['host_village_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_township_id'), ['township_id'], unique=False)

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('cut_reason', sa.Text(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=True),
    sa.Column('evaluation', sa.Text(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=True),
    sa.Column('evaluated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("grade IS NULL OR grade IN ('excellent', 'pass', 'basic_pass', 'fail')", name=op.f('ck_placements_grade_known')),
    sa.CheckConstraint('end_on >= start_on', name=op.f('ck_placements_dates_ordered')),
    sa.CheckConstraint('ended_on IS NULL OR (ended_on >= start_on AND ended_on < end_on)', name=op.f('ck_placements_cut_within')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_placements_batch_id_batches')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_placements_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_placements_created_by_id_users')),
    sa.ForeignKeyConstraint(['evaluated_by_id'], ['users.id'], name=op.f('fk_placements_evaluated_by_id_users')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_placements_post_id_posts')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_placements_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )

    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_placements_candidate_dates', ['candidate_id', 'start_on'], unique=False)
        batch_op.create_index('ix_placements_post_dates', ['post_id', 'start_on'], unique=False)
        batch_op.create_index('ix_placements_township_end', ['township_id', 'end_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_township_id'), ['township_id'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE placements ADD CONSTRAINT ex_placements_candidate_overlap "
            "EXCLUDE USING gist (candidate_id WITH =, "
            "daterange(start_on, coalesce(ended_on, end_on), '[]') WITH &&)"
        )
    for window in WINDOWS:
        bind.execute(
            sa.text(
                "INSERT INTO posts (township_id, kind, name, host, host_village_id, supervisor, "
                "duties, capacity, is_active, created_dt) "
                "SELECT id, 'window', :name, name || '党群服务中心', NULL, '', '', :capacity, "
                ":active, CURRENT_TIMESTAMP FROM townships"
            ),
            {"name": f"{window}窗口", "capacity": 2 if window == "帮办代办" else 1, "active": True},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE placements DROP CONSTRAINT IF EXISTS ex_placements_candidate_overlap")
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placements_township_id'))
        batch_op.drop_index('ix_placements_township_end')
        batch_op.drop_index('ix_placements_post_dates')
        batch_op.drop_index('ix_placements_candidate_dates')
        batch_op.drop_index(batch_op.f('ix_placements_batch_id'))

    op.drop_table('placements')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_township_id'))
        batch_op.drop_index(batch_op.f('ix_posts_host_village_id'))

    op.drop_table('posts')

    with op.batch_alter_table('rotation_plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_plan_items_township_id'))

    op.drop_table('rotation_plan_items')

    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_township_id'))

    op.drop_table('batches')
