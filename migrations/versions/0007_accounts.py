"""accounts: a user confirms the address before signing in; imported companies are invited

Revision ID: 0007_accounts
Revises: 0006_import_jobs
Create Date: 2026-12-04 15:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_accounts'
down_revision = '0006_import_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        # Accounts made before confirmation existed were usable: they count as confirmed.
        batch_op.add_column(sa.Column('confirmed', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('invited_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('confirmed')
