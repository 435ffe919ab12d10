"""interpreters and online meetings: interpreters with their language pairs, mode and unavailable
slots; a company's mode per session; meetings with no table (online), a video link and an
interpreter; a session's video link source

Follows 0015_concept_ui.

Revision ID: 0016_interpreters_online
Revises: 0015_concept_ui
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_interpreters_online'
down_revision = '0015_concept_ui'
branch_labels = None
depends_on = None

_LIVE = "status IN ('scheduled', 'held', 'replacement')"


def upgrade():
    op.create_table('interpreters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('pairs', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('onsite', 'online')", name=op.f('ck_interpreters_mode')),
    sa.CheckConstraint("pairs <> ''", name=op.f('ck_interpreters_pairs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters')),
    sa.UniqueConstraint('token', name=op.f('uq_interpreters_token'))
    )
    op.create_table('interpreter_unavailabilities',
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('interpreter_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreters.id'], name=op.f('fk_interpreter_unavailabilities_interpreter_id_interpreters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['session_slots.id'], name=op.f('fk_interpreter_unavailabilities_slot_id_session_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slot_id', 'interpreter_id', name=op.f('pk_interpreter_unavailabilities'))
    )
    with op.batch_alter_table('interpreter_unavailabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_unavailabilities_interpreter_id'), ['interpreter_id'], unique=False)

    with op.batch_alter_table('match_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('video_source', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('video_template', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('video_pool', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lost_to_interpreters', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('interpreter_slots_json', sa.Text(), server_default='[]', nullable=False))

    with op.batch_alter_table('session_companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=10), server_default='onsite', nullable=False))
        batch_op.create_check_constraint(op.f('ck_session_companies_mode'), "mode IN ('onsite', 'online')")

    with op.batch_alter_table('scheduled_meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('video_url', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('interpreter_id', sa.Integer(), nullable=True))
        batch_op.alter_column('table_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_scheduled_meetings_interpreter_id'), ['interpreter_id'], unique=False)
        batch_op.create_index('uq_scheduled_meetings_live_interpreter', ['state', 'slot_id', 'interpreter_id'], unique=True, sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE))
        batch_op.create_foreign_key(batch_op.f('fk_scheduled_meetings_interpreter_id_interpreters'), 'interpreters', ['interpreter_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('scheduled_meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scheduled_meetings_interpreter_id_interpreters'), type_='foreignkey')
        batch_op.drop_index('uq_scheduled_meetings_live_interpreter', sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE))
        batch_op.drop_index(batch_op.f('ix_scheduled_meetings_interpreter_id'))
        batch_op.alter_column('table_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('interpreter_id')
        batch_op.drop_column('video_url')
        batch_op.drop_column('online')

    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_column('interpreter_slots_json')
        batch_op.drop_column('lost_to_interpreters')

    with op.batch_alter_table('session_companies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_session_companies_mode'), type_='check')
        batch_op.drop_column('mode')

    with op.batch_alter_table('match_sessions', schema=None) as batch_op:
        batch_op.drop_column('video_pool')
        batch_op.drop_column('video_template')
        batch_op.drop_column('video_source')

    with op.batch_alter_table('interpreter_unavailabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_unavailabilities_interpreter_id'))

    op.drop_table('interpreter_unavailabilities')
    op.drop_table('interpreters')
