"""Accounts: log in with an OpenID Connect provider (Feide, the municipality's): the connected provider accounts

Revision ID: 0010_external_identities
Revises: 0009_secret_ballot_boxes
Create Date: 2026-12-01 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_external_identities'
down_revision = '0009_secret_ballot_boxes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'external_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('takes_email', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_external_identities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
        sa.UniqueConstraint('provider', 'subject', name='uq_external_identities_provider_subject'),
        sa.UniqueConstraint('user_id', 'provider', name='uq_external_identities_user_provider'),
    )


def downgrade():
    op.drop_table('external_identities')
