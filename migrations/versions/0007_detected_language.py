"""detected language of each comment

Revision ID: 0007_detected_language
Revises: 0006_thread_version
Create Date: 2026-11-22 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_detected_language'
down_revision = '0006_thread_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detected_language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('detected_language')
