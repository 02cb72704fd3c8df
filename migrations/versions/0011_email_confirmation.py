"""email confirmation (accounts made before it are taken as confirmed); closed accounts

Revision ID: 0011_email_confirmation
Revises: 0010_password_resets
Create Date: 2026-12-01 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_email_confirmation'
down_revision = '0010_password_resets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE user_account SET email_confirmed_at = created_at')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('email_confirmed_at')
