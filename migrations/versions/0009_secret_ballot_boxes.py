"""Secret ballots in sealed boxes: one keyed, encrypted row per member while a vote is open; no voter lists

Open votes move into ``ballot_boxes``/``sealed_ballots`` with a new key file per vote (in VOTE_KEY_DIR): the old
voter lists (``sw_voters``, ``budget_voters``, secret ``motion_votes``) still say who voted, and the old
SECRET_KEY links then find each member's current ballot, which is sealed again under the new key. After that the
voter lists, ``budget_drafts`` (moved too), ``motion_secret_ballots`` and the ballots' links, times and keys are
dropped, and the ballot tables that had them are written again from scratch (no older row versions left in them).

Revision ID: 0009_secret_ballot_boxes
Revises: 0008_motions_secret_ballots
Create Date: 2026-11-30 07:30:00

"""
import hashlib
import hmac
import json
import os
import random
import secrets
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0009_secret_ballot_boxes'
down_revision = '0008_motions_secret_ballots'
branch_labels = None
depends_on = None

_boxes = sa.table(
    "ballot_boxes", sa.column("id", sa.Integer), sa.column("purpose", sa.String), sa.column("vote_id", sa.Integer),
    sa.column("key_id", sa.String), sa.column("key_fingerprint", sa.String), sa.column("closed", sa.Boolean),
    sa.column("scrubbed", sa.Boolean),
)
_sealed = sa.table(
    "sealed_ballots", sa.column("box_id", sa.Integer), sa.column("kind", sa.String), sa.column("link", sa.String),
    sa.column("sealed", sa.LargeBinary),
)


# --- Version 1 of the sealed format (copied from youthcouncil/secret_ballot.py: a migration must not change) ----


def _old_link(message: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()


def _subkey(secret: bytes, use: bytes) -> bytes:
    return hmac.new(secret, b"youthcouncil secret ballot " + use, hashlib.sha256).digest()


def _link(secret: bytes, purpose: str, vote_id: int, user_id: int) -> str:
    return hmac.new(_subkey(secret, b"link"), f"{purpose}:{vote_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def _seal(secret: bytes, purpose: str, vote_id: int, box_id: int, kind: str, link: str, payload: dict) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    body = len(data).to_bytes(4, "big") + data
    body += b"\0" * (-len(body) % 1024)
    nonce = os.urandom(12)
    aad = f"{purpose}:{vote_id}:{box_id}:{kind}:{link}".encode()
    return b"\x01" + nonce + AESGCM(_subkey(secret, b"seal")).encrypt(nonce, body, aad)


def _new_box(connection, purpose: str, vote_id: int, entries: list[tuple[str, int, dict]]) -> None:
    """A box with a new key file, and ``entries`` (kind, user id, payload) sealed in it, in a random order."""
    folder = Path(current_app.config.get("VOTE_KEY_DIR") or Path(current_app.instance_path) / "vote-keys")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret, key_id = os.urandom(32), secrets.token_hex(16)
    fd = os.open(folder / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
    connection.execute(_boxes.insert().values(
        purpose=purpose, vote_id=vote_id, key_id=key_id, key_fingerprint=hashlib.sha256(secret).hexdigest(),
        closed=False, scrubbed=False,
    ))
    box_id = connection.scalar(sa.select(_boxes.c.id).where(_boxes.c.key_id == key_id))
    random.SystemRandom().shuffle(entries)
    for kind, user_id, payload in entries:
        link = _link(secret, purpose, vote_id, user_id)
        connection.execute(_sealed.insert().values(
            box_id=box_id, kind=kind, link=link, sealed=_seal(secret, purpose, vote_id, box_id, kind, link, payload),
        ))


def _rows(connection, sql: str, **params):
    return connection.execute(sa.text(sql), params).all()


def _write_again(connection, table: str, rows: list[dict], **types) -> None:
    """Empty the table and insert ``rows``: on PostgreSQL TRUNCATE gives it new files, so no older row version
    (a link, a voter's transaction id) stays in them; SQLite's secure_delete zeroes deleted rows."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f'TRUNCATE "{table}" CASCADE'))
    else:
        connection.execute(sa.text(f'DELETE FROM "{table}"'))
    if rows:
        columns = (sa.column(name, types.get(name)) for name in rows[0])
        connection.execute(sa.table(table, *columns).insert(), rows)


def _move_open_votes(connection) -> None:
    # Theme rounds not counted yet: each voter's current ballot, found by the old link.
    for (round_id,) in _rows(connection, "SELECT id FROM sw_rounds WHERE closed_at IS NULL AND NOT imported"):
        ballots = dict(_rows(
            connection, "SELECT voter_link, ranking FROM sw_ballots WHERE round_id = :r AND voter_link IS NOT NULL",
            r=round_id,
        ))
        entries = []
        for (user_id,) in _rows(connection, "SELECT user_id FROM sw_voters WHERE round_id = :r", r=round_id):
            ranking = ballots.get(_old_link(f"{round_id}:{user_id}"))
            if ranking is not None:
                ranking = json.loads(ranking) if isinstance(ranking, str) else ranking
                entries.append(("ballot", user_id, {"choices": ranking, "forms": []}))
        if entries:
            _new_box(connection, "theme", round_id, entries)
        connection.execute(sa.text("DELETE FROM sw_ballots WHERE round_id = :r"), {"r": round_id})
    # Budget votes not closed yet: ballots by the old link, and the drafts.
    for (year_id,) in _rows(connection, "SELECT id FROM budget_years WHERE closed_at IS NULL AND NOT imported"):
        choices: dict[int, list[int]] = {}
        for ballot_id, event_id in _rows(
            connection,
            "SELECT b.id, c.event_id FROM budget_ballots b LEFT JOIN budget_ballot_choices c ON c.ballot_id = b.id"
            " WHERE b.year_id = :y",
            y=year_id,
        ):
            choices.setdefault(ballot_id, [])
            if event_id is not None:
                choices[ballot_id].append(event_id)
        by_key = {key: ballot_id for ballot_id, key in _rows(
            connection, "SELECT id, voter_key FROM budget_ballots WHERE year_id = :y", y=year_id
        )}
        entries = []
        for (user_id,) in _rows(connection, "SELECT user_id FROM budget_voters WHERE year_id = :y", y=year_id):
            ballot_id = by_key.get(_old_link(f"{year_id}:{user_id}"))
            if ballot_id is not None:
                entries.append(("ballot", user_id, {"choices": sorted(choices[ballot_id]), "forms": []}))
        voted = {user_id for _kind, user_id, _payload in entries}
        for user_id, event_ids, updated_at in _rows(
            connection, "SELECT user_id, event_ids, updated_at FROM budget_drafts WHERE year_id = :y", y=year_id
        ):
            if user_id in voted:
                continue
            event_ids = json.loads(event_ids) if isinstance(event_ids, str) else event_ids
            saved_at = updated_at if isinstance(updated_at, str) else updated_at.isoformat()
            entries.append(("draft", user_id, {"choices": sorted(int(e) for e in event_ids), "saved_at": saved_at}))
        if entries:
            _new_box(connection, "budget", year_id, entries)
        connection.execute(
            sa.text("DELETE FROM budget_ballot_choices WHERE ballot_id IN (SELECT id FROM budget_ballots WHERE year_id = :y)"),
            {"y": year_id},
        )
        connection.execute(sa.text("DELETE FROM budget_ballots WHERE year_id = :y"), {"y": year_id})
    # Open secret motions.
    for (motion_id,) in _rows(connection, "SELECT id FROM motions WHERE secret AND status = 'open'"):
        ballots = dict(_rows(
            connection, "SELECT voter_link, choice FROM motion_secret_ballots WHERE motion_id = :m", m=motion_id
        ))
        entries = []
        for (user_id,) in _rows(connection, "SELECT user_id FROM motion_votes WHERE motion_id = :m", m=motion_id):
            choice = ballots.get(_old_link(f"motion:{motion_id}:{user_id}"))
            if choice is not None:
                entries.append(("ballot", user_id, {"choices": choice, "forms": []}))
        if entries:
            _new_box(connection, "motion", motion_id, entries)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('ballot_boxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('key_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('scrubbed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("purpose IN ('theme', 'budget', 'motion')", name=op.f('ck_ballot_boxes_purpose_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_boxes')),
    sa.UniqueConstraint('key_id', name=op.f('uq_ballot_boxes_key_id')),
    sa.UniqueConstraint('purpose', 'vote_id', name=op.f('uq_ballot_boxes_purpose_vote_id'))
    )
    op.create_table('sealed_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=6), nullable=False),
    sa.Column('link', sa.String(length=64), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("kind IN ('ballot', 'draft')", name=op.f('ck_sealed_ballots_kind_known')),
    sa.ForeignKeyConstraint(['box_id'], ['ballot_boxes.id'], name=op.f('fk_sealed_ballots_box_id_ballot_boxes'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_ballots')),
    sa.UniqueConstraint('box_id', 'kind', 'link', name=op.f('uq_sealed_ballots_box_id_kind_link'))
    )
    with op.batch_alter_table('sealed_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_ballots_box_id'), ['box_id'], unique=False)
    # ### end Alembic commands ###

    connection = op.get_bind()
    _move_open_votes(connection)
    # Secret motions keep no voter list (the counts are on the motion); named votes stay.
    named_votes = [dict(row._mapping) for row in connection.execute(sa.text(
        "SELECT v.id, v.motion_id, v.user_id, v.choice, v.cast_at, v.updated_at FROM motion_votes v"
        " JOIN motions m ON m.id = v.motion_id WHERE NOT m.secret AND v.choice IS NOT NULL ORDER BY v.id"
    ))]
    theme_ballots = [dict(row._mapping) for row in connection.execute(sa.text(
        "SELECT id, round_id, ranking, weight FROM sw_ballots WHERE NOT replaced"
    ))]
    budget_ballots = [dict(row._mapping) for row in connection.execute(sa.text("SELECT id, year_id FROM budget_ballots"))]
    budget_choices = [dict(row._mapping) for row in connection.execute(sa.text(
        "SELECT ballot_id, event_id FROM budget_ballot_choices"
    ))]
    _write_again(connection, 'motion_votes', named_votes)

    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('motion_secret_ballots')
    with op.batch_alter_table('sw_voters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sw_voters_user_id'))
        batch_op.drop_index(batch_op.f('ix_sw_voters_round_id'))
    op.drop_table('sw_voters')
    op.drop_table('budget_voters')
    with op.batch_alter_table('budget_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_drafts_year_id'))
        batch_op.drop_index(batch_op.f('ix_budget_drafts_user_id'))
    op.drop_table('budget_drafts')
    with op.batch_alter_table('sw_rounds', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sw_rounds_id_term', type_='unique')
    with op.batch_alter_table('sw_ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sw_ballots_round_id_voter_link'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_sw_ballots_idempotency_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_sw_ballots_replaced_has_no_link'), type_='check')
        batch_op.drop_column('replaced')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('voter_link')
        batch_op.drop_column('submitted_at')
    with op.batch_alter_table('budget_ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_budget_ballots_year_id_voter_key'), type_='unique')
        batch_op.drop_column('voter_key')
    with op.batch_alter_table('motion_votes', schema=None) as batch_op:
        batch_op.alter_column('choice', existing_type=sa.Enum('yes', 'no', 'abstain', name='motion_choice',
                              native_enum=False, length=10), nullable=False)
    # ### end Alembic commands ###

    for ballot in theme_ballots:
        if isinstance(ballot["ranking"], str):
            ballot["ranking"] = json.loads(ballot["ranking"])
    random.SystemRandom().shuffle(budget_ballots)
    _write_again(connection, 'sw_ballots', theme_ballots, ranking=sa.JSON())
    _write_again(connection, 'budget_ballot_choices', [])
    _write_again(connection, 'budget_ballots', budget_ballots)
    _write_again(connection, 'budget_ballot_choices', budget_choices)


def downgrade():
    connection = op.get_bind()
    if connection.execute(sa.text(
        "SELECT count(*) FROM sealed_ballots s JOIN ballot_boxes b ON b.id = s.box_id WHERE NOT b.closed"
    )).scalar():
        raise RuntimeError("Votes are open: their sealed ballots cannot go back to the old tables. Close them first.")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('motion_votes', schema=None) as batch_op:
        batch_op.alter_column('choice', existing_type=sa.Enum('yes', 'no', 'abstain', name='motion_choice',
                              native_enum=False, length=10), nullable=True)
    with op.batch_alter_table('budget_ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voter_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_budget_ballots_year_id_voter_key'), ['year_id', 'voter_key'])
    with op.batch_alter_table('sw_ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voter_link', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('replaced', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE sw_ballots SET submitted_at = (SELECT voting_closes_at FROM sw_rounds WHERE sw_rounds.id = sw_ballots.round_id)")
    with op.batch_alter_table('sw_ballots', schema=None) as batch_op:
        batch_op.alter_column('submitted_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('replaced', existing_type=sa.Boolean(), server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_sw_ballots_replaced_has_no_link'), 'NOT replaced OR voter_link IS NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_sw_ballots_idempotency_key'), ['idempotency_key'])
        batch_op.create_unique_constraint(batch_op.f('uq_sw_ballots_round_id_voter_link'), ['round_id', 'voter_link'])
    with op.batch_alter_table('sw_rounds', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_sw_rounds_id_term', ['id', 'term_id'])
    op.create_table('budget_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_drafts_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['budget_years.id'], name=op.f('fk_budget_drafts_year_id_budget_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_drafts')),
    sa.UniqueConstraint('year_id', 'user_id', name=op.f('uq_budget_drafts_year_id_user_id'))
    )
    with op.batch_alter_table('budget_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_drafts_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_drafts_year_id'), ['year_id'], unique=False)
    op.create_table('budget_voters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_submit_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_voters_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['budget_years.id'], name=op.f('fk_budget_voters_year_id_budget_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_voters')),
    sa.UniqueConstraint('year_id', 'user_id', name=op.f('uq_budget_voters_year_id_user_id'))
    )
    with op.batch_alter_table('budget_voters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_voters_year_id'), ['year_id'], unique=False)
    op.create_table('sw_voters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('voted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id', 'term_id'], ['sw_rounds.id', 'sw_rounds.term_id'], name='fk_sw_voters_round_term', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id', 'user_id'], ['memberships.term_id', 'memberships.user_id'], name='fk_sw_voters_membership', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sw_voters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sw_voters')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_sw_voters_round_id_user_id'))
    )
    with op.batch_alter_table('sw_voters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sw_voters_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sw_voters_user_id'), ['user_id'], unique=False)
    op.create_table('motion_secret_ballots',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('motion_id', sa.Integer(), nullable=False),
    sa.Column('voter_link', sa.String(length=64), nullable=True),
    sa.Column('choice', sa.Enum('yes', 'no', 'abstain', name='motion_choice', native_enum=False, length=10),
              nullable=False),
    sa.CheckConstraint("choice IN ('yes', 'no', 'abstain')", name=op.f('ck_motion_secret_ballots_choice_known')),
    sa.ForeignKeyConstraint(['motion_id'], ['motions.id'], name=op.f('fk_motion_secret_ballots_motion_id_motions'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_motion_secret_ballots')),
    sa.UniqueConstraint('motion_id', 'voter_link', name=op.f('uq_motion_secret_ballots_motion_id_voter_link'))
    )
    with op.batch_alter_table('motion_secret_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_motion_secret_ballots_motion_id'), ['motion_id'], unique=False)
    with op.batch_alter_table('sealed_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_ballots_box_id'))
    op.drop_table('sealed_ballots')
    op.drop_table('ballot_boxes')
    # ### end Alembic commands ###
