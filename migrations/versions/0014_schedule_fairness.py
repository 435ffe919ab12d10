"""schedule runs record their fairness: floor reached, bound without floors, greedy's score

Follows 0013_concepts.

Revision ID: 0014_schedule_fairness
Revises: 0013_concepts
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_schedule_fairness'
down_revision = '0013_concepts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor_reached', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unfair_bound', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('greedy_score', sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_column('greedy_score')
        batch_op.drop_column('unfair_bound')
        batch_op.drop_column('floor_reached')
