"""notices for companies, undoable actions, room and hall names per language

Revision ID: 0008_notifications
Revises: 0007_accounts
Create Date: 2026-12-04 15:30:00
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0008_notifications'
down_revision = '0007_accounts'
branch_labels = None
depends_on = None

PLACES = ('rooms', 'halls')


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('partner_name', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('approved', 'request_received', 'request_accepted', 'request_declined')",
                           name=op.f('ck_notifications_kind')),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_notifications_company_id_companies'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['request_id'], ['meeting_requests.id'],
                                name=op.f('fk_notifications_request_id_meeting_requests'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_company_unread', 'notifications', ['company_id', 'read_at'], unique=False)
    op.create_table(
        'undo_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_undo_actions_actor_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_undo_actions')),
    )
    with op.batch_alter_table('undo_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_undo_actions_actor_id'), ['actor_id'], unique=False)
    for table in PLACES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for lang in ('ja', 'vi', 'en'):
                batch_op.add_column(sa.Column(f'name_{lang}', sa.String(length=120), server_default='', nullable=False))


def downgrade():
    for table in PLACES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for lang in ('en', 'vi', 'ja'):
                batch_op.drop_column(f'name_{lang}')
    with op.batch_alter_table('undo_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undo_actions_actor_id'))
    op.drop_table('undo_actions')
    op.drop_index('ix_notifications_company_unread', table_name='notifications')
    op.drop_table('notifications')
