"""concept ui: organisers' glossary edits with their history, and pair feedback

Revision ID: 0015_concept_ui
Revises: 0014_schedule_fairness
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0015_concept_ui'
down_revision = '0014_schedule_fairness'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('concept_edits',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('entry', sa.JSON(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_concept_edits'))
    )
    op.create_table('concept_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('add', 'edit', 'retire', 'restore')", name=op.f('ck_concept_changes_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_concept_changes_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_changes'))
    )
    with op.batch_alter_table('concept_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_changes_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_changes_created_at'), ['created_at'], unique=False)

    op.create_table('pair_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("signal IN ('declined', 'hidden', 'accepted')", name=op.f('ck_pair_feedback_signal')),
    sa.CheckConstraint('company_id <> partner_id', name=op.f('ck_pair_feedback_not_self')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_pair_feedback_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['companies.id'], name=op.f('fk_pair_feedback_partner_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_feedback'))
    )
    with op.batch_alter_table('pair_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_pair_feedback_company_partner', ['company_id', 'partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pair_feedback_partner_id'), ['partner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pair_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_feedback_partner_id'))
        batch_op.drop_index('ix_pair_feedback_company_partner')
    op.drop_table('pair_feedback')
    with op.batch_alter_table('concept_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_changes_created_at'))
        batch_op.drop_index(batch_op.f('ix_concept_changes_key'))
    op.drop_table('concept_changes')
    op.drop_table('concept_edits')
