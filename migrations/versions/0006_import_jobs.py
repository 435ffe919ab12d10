"""jobs keep their upload, options and result: large imports run as background jobs

Revision ID: 0006_import_jobs
Revises: 0005_public_pages
Create Date: 2026-11-28 22:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_import_jobs'
down_revision = '0005_public_pages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.Text(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('result', sa.Text(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('payload', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('payload')
        batch_op.drop_column('result')
        batch_op.drop_column('params')
