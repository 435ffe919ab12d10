"""the score a schedule run lost to the interpreter shortage

Follows 0016_interpreters_online.

Revision ID: 0017_interpreter_score
Revises: 0016_interpreters_online
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_interpreter_score'
down_revision = '0016_interpreters_online'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_lost_to_interpreters', sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_column('score_lost_to_interpreters')
