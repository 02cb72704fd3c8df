"""notifications: following consultations, settings per account, unsubscribe links, one of each

Revision ID: 0012_notifications
Revises: 0011_email_confirmation
Create Date: 2026-12-01 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_notifications'
down_revision = '0011_email_confirmation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'follow',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('locale', sa.String(length=10), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_follow_consultation_id_consultation')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_follow_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
        sa.UniqueConstraint('consultation_id', 'user_id', name='uq_follow_account'),
        sa.UniqueConstraint('consultation_id', 'email', name='uq_follow_email'),
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for name in ('notify_replies', 'notify_followed', 'notify_moderation'):
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_email_dedupe_key'), ['dedupe_key'])


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_email_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('unsubscribe_url')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for name in ('notify_moderation', 'notify_followed', 'notify_replies'):
            batch_op.drop_column(name)

    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_user_id'))
        batch_op.drop_index(batch_op.f('ix_follow_consultation_id'))

    op.drop_table('follow')
