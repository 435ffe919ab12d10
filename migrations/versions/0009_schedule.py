"""schedule: session names in three languages, publication undo window, companies left out,
hand edits of the draft, cancelled calendar entries, one calendar UID domain

Revision ID: 0009_schedule
Revises: 0008_notifications
Create Date: 2026-12-04 15:30:00
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0009_schedule'
down_revision = '0008_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ja', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_vi', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('venue', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('undo_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('undo_json', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('draft_edited_at', sa.DateTime(timezone=True), nullable=True))
    # the one name a session had was typed in no known language: it becomes the English one,
    # which every reader falls back to
    op.execute("UPDATE match_sessions SET name_en = name")
    with op.batch_alter_table('match_sessions', schema=None) as batch_op:
        batch_op.drop_column('name')
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_json', sa.Text(), server_default='{}', nullable=False))
    with op.batch_alter_table('session_companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('schedule_notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deliver_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_schedule_notifications_deliver_at'), ['deliver_at'], unique=False)
    op.create_table(
        'calendar_cancellations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=120), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_calendar_cancellations_company_id_companies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_cancellations_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_cancellations')),
    )
    with op.batch_alter_table('calendar_cancellations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_cancellations_uid'), ['uid'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_cancellations_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_cancellations_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_cancellations_cancelled_at'), ['cancelled_at'], unique=False)
    # seminars and meetings share one UID domain; nothing has been published to attendees yet
    op.execute("UPDATE seminars SET uid = REPLACE(uid, '@matchmaker', '@jv-environment-week') WHERE uid LIKE '%@matchmaker'")


def downgrade():
    op.execute("UPDATE seminars SET uid = REPLACE(uid, '@jv-environment-week', '@matchmaker') WHERE uid LIKE 'seminar-%@jv-environment-week'")
    op.drop_table('calendar_cancellations')
    with op.batch_alter_table('schedule_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_notifications_deliver_at'))
        batch_op.drop_column('mailed_at')
        batch_op.drop_column('deliver_at')
    with op.batch_alter_table('session_companies', schema=None) as batch_op:
        batch_op.drop_column('excluded')
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_column('idle_json')
    with op.batch_alter_table('match_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), server_default='', nullable=False))
    op.execute("UPDATE match_sessions SET name = COALESCE(NULLIF(name_en, ''), NULLIF(name_ja, ''), name_vi)")
    with op.batch_alter_table('match_sessions', schema=None) as batch_op:
        for column in ('draft_edited_at', 'undo_json', 'undo_until', 'venue', 'name_en', 'name_vi', 'name_ja'):
            batch_op.drop_column(column)
