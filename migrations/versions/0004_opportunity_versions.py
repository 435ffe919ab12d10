"""offer/need versions in other languages; one embedding per (offer/need, language)

Revision ID: 0004_opportunity_versions
Revises: 0003_schedule_programme_jobs
Create Date: 2026-11-28 21:50:00

Embeddings are derived data: the table is recreated with its new key, empty, and
``flask matches embed`` (run by ``make db``; the organiser's "Analyse now" does the same)
computes the vectors again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_opportunity_versions'
down_revision = '0003_schedule_programme_jobs'
branch_labels = None
depends_on = None


def _embeddings_table(key_columns):
    columns = [sa.Column('opportunity_id', sa.Integer(), nullable=False)]
    if 'language' in key_columns:
        columns.append(sa.Column('language', sa.String(length=5), nullable=False))
    op.create_table('opportunity_embeddings',
    *columns,
    sa.Column('model_id', sa.String(length=200), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('truncated', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_embeddings_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(*key_columns, name=op.f('pk_opportunity_embeddings'))
    )
    if 'language' in key_columns:
        op.create_index('ix_opportunity_embeddings_model_id_updated_at', 'opportunity_embeddings', ['model_id', 'updated_at'])


def upgrade():
    op.create_table('opportunity_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('ja', 'vi', 'en')", name=op.f('ck_opportunity_versions_language')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_versions_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_versions')),
    sa.UniqueConstraint('opportunity_id', 'language', name=op.f('uq_opportunity_versions_opportunity_id_language'))
    )
    with op.batch_alter_table('opportunity_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_versions_opportunity_id'), ['opportunity_id'], unique=False)
    op.drop_table('opportunity_embeddings')
    _embeddings_table(['opportunity_id', 'language'])


def downgrade():
    op.drop_table('opportunity_embeddings')
    _embeddings_table(['opportunity_id'])
    with op.batch_alter_table('opportunity_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_versions_opportunity_id'))
    op.drop_table('opportunity_versions')
