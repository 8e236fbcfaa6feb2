"""Schools: a name key folded the same way on every backend (NFKC + Unicode case folding), unique per municipality

SQLite's lower() folds only A–Z, so "Åsen skole" and "åsen skole" could both be saved there while PostgreSQL
refused the second. The key is computed in Python (youthcouncil.names.name_key) and backfilled here. Schools that
already share a key (only possible on SQLite) keep their names: the later ones get a key of their own, and the
coordinator sees the two names in the list.

Revision ID: 0011_fuzz_casefold_names
Revises: 0010_external_identities
Create Date: 2026-12-01 12:00:00

"""
import hashlib
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_fuzz_casefold_names'
down_revision = '0010_external_identities'
branch_labels = None
depends_on = None


def _name_key(name: str, suffix: str = '') -> str:
    # The rule of youthcouncil.names.name_key as of this revision (a migration must not change with the app).
    text = unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', name).casefold())
    return hashlib.sha256((' '.join(text.split()) + suffix).encode()).hexdigest()


def upgrade():
    # Added in place (no table rebuild on SQLite: other tables' rows point at schools), with an empty default
    # that the backfill below replaces; the app always sets the key itself.
    op.add_column('schools', sa.Column('name_key', sa.String(length=64), nullable=False, server_default=''))

    connection = op.get_bind()
    schools = sa.table('schools', sa.column('id', sa.Integer), sa.column('municipality_id', sa.Integer),
                       sa.column('name', sa.String), sa.column('name_key', sa.String))
    taken = set()
    rows = connection.execute(sa.select(schools.c.id, schools.c.municipality_id, schools.c.name)
                              .order_by(schools.c.id)).all()
    for school_id, municipality_id, name in rows:
        key = _name_key(name)
        if (municipality_id, key) in taken:
            key = _name_key(name, f'\x00{school_id}')  # a duplicate from before: its own key, the name unchanged
        taken.add((municipality_id, key))
        connection.execute(schools.update().where(schools.c.id == school_id).values(name_key=key))

    if connection.dialect.name != 'sqlite':  # SQLite cannot drop a default without rebuilding the table
        op.alter_column('schools', 'name_key', server_default=None)
    op.create_index('uq_schools_municipality_id_name_key', 'schools', ['municipality_id', 'name_key'], unique=True)


def downgrade():
    op.drop_index('uq_schools_municipality_id_name_key', table_name='schools')
    op.drop_column('schools', 'name_key')  # in place on SQLite too (3.35+), no rebuild of a table others point at
