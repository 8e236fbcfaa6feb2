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
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=64), nullable=True))

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

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint('uq_schools_municipality_id_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_schools_municipality_id_name_key'),
                                          ['municipality_id', 'name_key'])


def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_schools_municipality_id_name_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_schools_municipality_id_name'), ['municipality_id', 'name'])
        batch_op.drop_column('name_key')
