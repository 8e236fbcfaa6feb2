"""Membership: open terms never overlap (PostgreSQL: an exclusion constraint over the terms' day ranges)

Revision ID: 0012_staff_term_overlap
Revises: 0011_fuzz_casefold_names
Create Date: 2026-12-02 10:00:00

Before the rule, a term could be saved inside another one and silently became the current term. On both backends the
upgrade first looks for open terms that already overlap and stops with their names: closing one of them (or changing
its dates, on the old version) is the coordinator's decision, not the migration's. Closed terms do not count.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_staff_term_overlap'
down_revision = '0011_fuzz_casefold_names'
branch_labels = None
depends_on = None

CONSTRAINT = 'ex_terms_open_terms_do_not_overlap'


def _refuse_existing_overlaps():
    pairs = op.get_bind().execute(sa.text(
        "SELECT a.name, a.starts_on, a.ends_on, b.name, b.starts_on, b.ends_on FROM terms a JOIN terms b"
        " ON a.municipality_id = b.municipality_id AND a.id < b.id"
        " AND a.starts_on <= b.ends_on AND b.starts_on <= a.ends_on"
        " WHERE a.closed_at IS NULL AND b.closed_at IS NULL"
    )).all()
    if pairs:
        listed = "; ".join(f"{a} ({a_start}–{a_end}) and {b} ({b_start}–{b_end})"
                           for a, a_start, a_end, b, b_start, b_end in pairs)
        raise RuntimeError(
            f"Open terms overlap: {listed}. Close one of each pair or change its dates, then run the upgrade again."
        )


def upgrade():
    _refuse_existing_overlaps()
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite: the service checks inside its BEGIN IMMEDIATE transaction
    # btree_gist gives the "=" on municipality_id a GiST operator class; it is a trusted extension, so the
    # database's owner may create it (no superuser needed on PostgreSQL 13 and newer).
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
    op.execute(
        f"ALTER TABLE terms ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist"
        " (municipality_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&) WHERE (closed_at IS NULL)"
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f'ALTER TABLE terms DROP CONSTRAINT {CONSTRAINT}')
    # btree_gist stays: other objects may use it, and it holds no data.
