"""the hash of the concept names appended to an offer/need's text before it is embedded

Follows 0017_interpreter_score.

Revision ID: 0018_embedding_expansion
Revises: 0017_interpreter_score
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_embedding_expansion'
down_revision = '0017_interpreter_score'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opportunity_embeddings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expansion_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('opportunity_embeddings', schema=None) as batch_op:
        batch_op.drop_column('expansion_hash')
