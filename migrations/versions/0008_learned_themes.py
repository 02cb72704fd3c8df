"""themes learned from staff coding, their scores and source; campaign additions;
per-sentence vectors in the embedding cache

Revision ID: 0008_learned_themes
Revises: 0007_detected_language
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_learned_themes'
down_revision = '0007_detected_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('text_embedding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spans', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('comment_analysis', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('topic_scores', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('campaign_addition', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('comment_analysis', schema=None) as batch_op:
        batch_op.drop_column('campaign_addition')
        batch_op.drop_column('topic_scores')
        batch_op.drop_column('topic_source')
    with op.batch_alter_table('text_embedding', schema=None) as batch_op:
        batch_op.drop_column('spans')
