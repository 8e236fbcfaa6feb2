"""The secret-ballot storage rules, once for the theme round, the budget vote and secret motions.

While a vote is open, each member's ballot (and budget draft) is one row in ``sealed_ballots``:

- ``link`` = HMAC(vote key, "<purpose>:<vote id>:<user id>"): the member finds and replaces their own row, and the
  database keeps one row per member (unique). No user id, no time, no row naming the voter is ever written in the
  same transaction (``_WriteGuard`` refuses it), so "who voted" is the set of links and turnout is their count.
- ``sealed`` = the choices, padded to a fixed size and encrypted (AES-GCM) with the same vote key. The database's
  write-ahead log keeps every row version for a while, in the order of the commits and next to the commit times;
  had the choices been written in the clear, a copy of ``pg_wal`` would tie each one to the login or the audit-log
  row that the same member wrote a minute before. Sealed, they say nothing once the key is gone.
- The vote key is 32 random bytes in a file in ``VOTE_KEY_DIR`` (outside the database); the vote's
  ``ballot_boxes`` row holds only its random file name and SHA-256, so a lost or foreign key file is refused with a
  plain message (a new key would let everyone vote twice, and the sealed ballots could not be counted).

At the close, in the closing transaction: the sealed rows are opened, deleted, and their choices handed to the
domain in a random order (``random.SystemRandom``) to write as its anonymous counted ballots. After that transaction
commits (a session ``after_commit`` listener runs ``sweep``): SQLite's WAL is checkpointed and truncated
(``secure_delete`` already zeroes deleted rows), PostgreSQL's ``sealed_ballots`` is rewritten with ``VACUUM FULL``,
then the key file is overwritten and unlinked. ``flask notify`` runs the same sweep, for anything a crash left over.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import hmac
import json
import logging
import os
import random
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app, render_template
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.notifications import signals as notification_signals

log = logging.getLogger(__name__)

#: One vote kind per domain; part of every link, so a theme link and a budget link of the same ids differ.
PURPOSES = ("theme", "budget", "motion")
KEY_BYTES = 32
#: Sealed choices are padded to a multiple of this, so a ballot's length does not tell how many themes it ranks.
PAD_TO = 1024
#: How many recent form keys (idempotency keys) a member's row remembers, with what each one sent.
RECENT_KEYS = 4
#: A key file that no open vote names is removed by the sweep once it is this old (its transaction rolled back).
ORPHAN_AGE_SECONDS = 3600


class Kind(enum.StrEnum):
    ballot = "ballot"
    draft = "draft"  # the budget vote's unsubmitted ticks


class SecretBallotError(ValueError):
    """A rule of the secret ballot said no; ``str()`` is a message for the member, in their language."""

    def __init__(self, message):
        super().__init__(message)
        self._message = message

    def __str__(self) -> str:
        return str(self._message)


class VoteKeyError(SecretBallotError):
    """The vote's key file is missing or is not the one this vote started with."""

    def __init__(self):
        super().__init__(
            _l(
                "Voting is paused: this vote's key is missing on the server, so no vote can be stored or counted "
                "now. Votes already given are safe. Please tell the youth coordinator."
            )
        )


class VoteClosedError(SecretBallotError):
    def __init__(self):
        super().__init__(_l("This vote is closed. Your vote was not counted."))


# --- Tables -------------------------------------------------------------------------------------------------


class BallotBox(db.Model):
    """One secret vote (a theme round, a budget year's vote, a secret motion): which key file is its key."""

    __tablename__ = "ballot_boxes"
    __table_args__ = (
        sa.UniqueConstraint("purpose", "vote_id"),
        sa.UniqueConstraint("key_id"),
        sa.CheckConstraint("purpose IN ('theme', 'budget', 'motion')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    #: The id of the round, budget year or motion.
    vote_id: Mapped[int]
    #: The key file's name in VOTE_KEY_DIR: random, so that a file name says nothing about the vote.
    key_id: Mapped[str] = mapped_column(sa.String(32))
    #: SHA-256 of the key: a lost, swapped or foreign key file is refused instead of silently replaced.
    key_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    #: Set in the transaction that counts the vote; the key is destroyed once that has committed.
    closed: Mapped[bool] = mapped_column(default=False)
    #: Set when, after the close, the database dropped the old row versions and the key file was destroyed.
    scrubbed: Mapped[bool] = mapped_column(default=False)


class SealedBallot(db.Model):
    """A member's ballot or draft while the vote is open: a keyed link and the encrypted choices, nothing else."""

    __tablename__ = "sealed_ballots"
    __table_args__ = (
        # One ballot and one draft per member and vote.
        sa.UniqueConstraint("box_id", "kind", "link"),
        sa.CheckConstraint("kind IN ('ballot', 'draft')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(sa.ForeignKey("ballot_boxes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(6))
    #: HMAC(vote key, "<purpose>:<vote id>:<user id>"), hex.
    link: Mapped[str] = mapped_column(sa.String(64))
    #: Version byte, 12-byte nonce, AES-GCM of the padded JSON payload (bound to this row's box, kind and link).
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)


# --- The vote key -------------------------------------------------------------------------------------------


def key_dir() -> Path:
    return Path(current_app.config["VOTE_KEY_DIR"])


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_key_file(folder: Path, key_id: str, key: bytes) -> None:
    """Create the key file (mode 0600, O_EXCL: never over another file) and make it durable before it is used."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(folder / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(folder)


def destroy_key_file(path: Path) -> None:
    """Overwrite the key with random bytes, then unlink it (a missing file is fine: already destroyed)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return
    try:
        size = os.fstat(fd).st_size
        os.write(fd, os.urandom(max(size, KEY_BYTES)))
        os.fsync(fd)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class VoteKey:
    purpose: str
    vote_id: int
    box_id: int
    secret: bytes

    def _subkey(self, use: bytes) -> bytes:
        # Separate keys for linking and sealing, both derived from the one key in the file.
        return hmac.new(self.secret, b"youthcouncil secret ballot " + use, hashlib.sha256).digest()

    def link(self, user_id: int) -> str:
        message = f"{self.purpose}:{self.vote_id}:{int(user_id)}".encode()
        return hmac.new(self._subkey(b"link"), message, hashlib.sha256).hexdigest()

    def _aad(self, kind: str, link: str) -> bytes:
        return f"{self.purpose}:{self.vote_id}:{self.box_id}:{kind}:{link}".encode()

    def seal(self, kind: str, link: str, payload: dict) -> bytes:
        data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        body = len(data).to_bytes(4, "big") + data
        body += b"\0" * (-len(body) % PAD_TO)
        nonce = os.urandom(12)
        return b"\x01" + nonce + AESGCM(self._subkey(b"seal")).encrypt(nonce, body, self._aad(kind, link))

    def open(self, kind: str, link: str, sealed: bytes) -> dict:
        if sealed[:1] != b"\x01":
            raise VoteKeyError()
        try:
            body = AESGCM(self._subkey(b"seal")).decrypt(sealed[1:13], sealed[13:], self._aad(kind, link))
        except InvalidTag:
            raise VoteKeyError() from None
        size = int.from_bytes(body[:4], "big")
        return json.loads(body[4 : 4 + size])


def _read_key(box: BallotBox) -> VoteKey:
    try:
        secret = (key_dir() / f"{box.key_id}.key").read_bytes()
    except FileNotFoundError:
        raise VoteKeyError() from None
    if len(secret) != KEY_BYTES or not hmac.compare_digest(_fingerprint(secret), box.key_fingerprint):
        raise VoteKeyError()
    return VoteKey(box.purpose, box.vote_id, box.id, secret)


# --- Boxes --------------------------------------------------------------------------------------------------


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown secret-ballot purpose {purpose!r}")


# The statements every vote runs are built once (building one costs more than running it), with bound parameters.
_BOX = (
    sa.select(BallotBox)
    .where(BallotBox.purpose == sa.bindparam("purpose"), BallotBox.vote_id == sa.bindparam("vote_id"))
    .execution_options(populate_existing=True)
)


def _find_box(purpose: str, vote_id: int) -> BallotBox | None:
    _check_purpose(purpose)
    return db.session.scalars(_BOX, {"purpose": purpose, "vote_id": vote_id}).first()


def _insert_unless_there(model, values: dict[str, Any], unique: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True if the row went in. A race with the same member's other tab (or with
    another worker making the box) is then no error, so neither our log nor the database server's logs the values.
    """
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = model.__table__
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=unique).returning(table.c.id)
    return db.session.execute(statement).first() is not None


def _open_box(purpose: str, vote_id: int) -> BallotBox:
    """The vote's box, made (with a new key file) by the first ballot or draft. Racing workers end with one box."""
    box = _find_box(purpose, vote_id)
    if box is None:
        secret, key_id = os.urandom(KEY_BYTES), secrets.token_hex(16)
        _write_key_file(key_dir(), key_id, secret)
        values = {"purpose": purpose, "vote_id": vote_id, "key_id": key_id, "key_fingerprint": _fingerprint(secret)}
        if not _insert_unless_there(BallotBox, values, ["purpose", "vote_id"]):
            # Another worker made the box first (its transaction has committed): use its key, drop ours.
            destroy_key_file(key_dir() / f"{key_id}.key")
        box = _find_box(purpose, vote_id)
    if box.closed:
        raise VoteClosedError()
    return box


# --- Writing ballots and drafts -----------------------------------------------------------------------------


class CastResult(enum.Enum):
    stored = "stored"
    #: The same form (idempotency key) with the same choices came again: nothing changed.
    repeated = "repeated"
    #: The same form came again with other choices (say, after the back button): nothing changed.
    key_reused = "key_reused"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":"), sort_keys=True).encode()).hexdigest()[:16]


#: A member's row of one kind in one box: the parameters ``box_id``, ``kind`` and ``link``.
_MEMBERS_ROW = sa.and_(
    SealedBallot.box_id == sa.bindparam("box_id"),
    SealedBallot.kind == sa.bindparam("kind"),
    SealedBallot.link == sa.bindparam("link"),
)
_OWN_ROW = sa.select(SealedBallot).where(_MEMBERS_ROW).execution_options(populate_existing=True)
# Writing (a vote): the row's id and sealed payload, locked, and the payload replaced, without the ORM's bookkeeping.
_OWN_SEALED_FOR_UPDATE = sa.select(SealedBallot.id, SealedBallot.sealed).where(_MEMBERS_ROW).with_for_update()
_RESEAL = (
    sa.update(SealedBallot)
    .where(SealedBallot.id == sa.bindparam("row_id"))
    .values(sealed=sa.bindparam("new_sealed"))
    .execution_options(synchronize_session=False)
)


def _own_row(box: BallotBox, kind: Kind, link: str) -> SealedBallot | None:
    return db.session.scalars(_OWN_ROW, {"box_id": box.id, "kind": kind.value, "link": link}).first()


def _upsert(box: BallotBox, key: VoteKey, kind: Kind, link: str, payload_for: Callable[[dict | None], dict | None]):
    """Insert or replace the member's row. ``payload_for(old payload)`` returns the new one, or None for no change."""
    for _attempt in range(5):
        row = db.session.execute(_OWN_SEALED_FOR_UPDATE, {"box_id": box.id, "kind": kind.value, "link": link}).first()
        if row is not None:
            payload = payload_for(key.open(kind.value, link, row.sealed))
            if payload is not None:
                db.session.execute(_RESEAL, {"row_id": row.id, "new_sealed": key.seal(kind.value, link, payload)})
            return payload
        payload = payload_for(None)
        values = {"box_id": box.id, "kind": kind.value, "link": link, "sealed": key.seal(kind.value, link, payload)}
        if _insert_unless_there(SealedBallot, values, ["box_id", "kind", "link"]):
            return payload
        # The same member's other tab inserted at the same moment: replace that row instead.
    raise SecretBallotError(_l("Your vote was sent twice at the same moment. Reload the page and check it."))


_DROP_DRAFT = sa.delete(SealedBallot).where(_MEMBERS_ROW).execution_options(synchronize_session=False)


def cast(purpose: str, vote_id: int, user_id: int, choices: Any, *, idempotency_key: str | None = None) -> CastResult:
    """Store or replace the member's ballot, and drop their draft. Nothing else may be written in this transaction.

    A form sent again with the same ``idempotency_key`` changes nothing (also after a newer vote from another tab).
    """
    guard.refuse_other_writes()
    box = _open_box(purpose, vote_id)
    key = _read_key(box)
    link = key.link(user_id)
    form = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16] if idempotency_key else None
    outcome = CastResult.stored

    def replace(old: dict | None) -> dict | None:
        nonlocal outcome
        recent = [] if old is None else old.get("forms", [])
        for seen_form, seen_digest in recent:
            if form is not None and seen_form == form:
                outcome = CastResult.repeated if seen_digest == _digest(choices) else CastResult.key_reused
                return None
        if form is not None:
            recent = (recent + [[form, _digest(choices)]])[-RECENT_KEYS:]
        return {"choices": choices, "forms": recent}

    _upsert(box, key, Kind.ballot, link, replace)
    if outcome is CastResult.stored:
        db.session.execute(_DROP_DRAFT, {"box_id": box.id, "kind": Kind.draft.value, "link": link})
    guard.sealed_written()
    return outcome


def save_draft(purpose: str, vote_id: int, user_id: int, choices: Any, *, now: datetime | None = None) -> None:
    """Keep the member's unsubmitted choices (sealed like a ballot; the time inside, for the reminder)."""
    guard.refuse_other_writes()
    box = _open_box(purpose, vote_id)
    key = _read_key(box)
    saved_at = (now or utcnow()).isoformat()
    _upsert(box, key, Kind.draft, key.link(user_id), lambda _old: {"choices": choices, "saved_at": saved_at})
    guard.sealed_written()


# --- Reading (only the member's own row, through their link) ------------------------------------------------


@dataclass(frozen=True)
class Draft:
    choices: Any
    saved_at: datetime


def _own(purpose: str, vote_id: int, user_id: int, kind: Kind) -> dict | None:
    box = _find_box(purpose, vote_id)
    if box is None or box.closed:
        return None
    key = _read_key(box)
    link = key.link(user_id)
    row = _own_row(box, kind, link)
    return None if row is None else key.open(kind.value, link, row.sealed)


def own_ballot(purpose: str, vote_id: int, user_id: int) -> Any | None:
    """The member's own current choices while the vote is open; None if they have not voted (or it has closed)."""
    payload = _own(purpose, vote_id, user_id, Kind.ballot)
    return None if payload is None else payload["choices"]


def own_draft(purpose: str, vote_id: int, user_id: int) -> Draft | None:
    payload = _own(purpose, vote_id, user_id, Kind.draft)
    if payload is None:
        return None
    return Draft(payload["choices"], datetime.fromisoformat(payload["saved_at"]))


def own_ballot_and_draft(purpose: str, vote_id: int, user_id: int) -> tuple[Any | None, Draft | None]:
    """``own_ballot`` and ``own_draft`` together: one look-up of the box, one of the member's rows (a home page)."""
    box = _find_box(purpose, vote_id)
    if box is None or box.closed:
        return None, None
    key = _read_key(box)
    link = key.link(user_id)
    rows = db.session.scalars(sa.select(SealedBallot).where(SealedBallot.box_id == box.id, SealedBallot.link == link))
    payloads = {row.kind: key.open(row.kind, link, row.sealed) for row in rows}
    ballot, draft = payloads.get(Kind.ballot.value), payloads.get(Kind.draft.value)
    return (
        None if ballot is None else ballot["choices"],
        None if draft is None else Draft(draft["choices"], datetime.fromisoformat(draft["saved_at"])),
    )


_HAS_BALLOT = sa.select(
    sa.exists().where(
        SealedBallot.box_id == sa.bindparam("box_id"),
        SealedBallot.kind == Kind.ballot.value,
        SealedBallot.link == sa.bindparam("link"),
    )
)


def has_voted(purpose: str, vote_id: int, user_id: int) -> bool:
    """Does the member's link exist? (Only while the vote is open: afterwards nothing can tell.)"""
    box = _find_box(purpose, vote_id)
    if box is None or box.closed:
        return False
    link = _read_key(box).link(user_id)
    return bool(db.session.scalar(_HAS_BALLOT, {"box_id": box.id, "link": link}))


def voted_in(purpose: str, vote_ids: Iterable[int], user_id: int) -> set[int]:
    """Of these open votes, the ones where the member has a ballot."""
    _check_purpose(purpose)
    boxes = db.session.scalars(
        sa.select(BallotBox).where(
            BallotBox.purpose == purpose, BallotBox.vote_id.in_(list(vote_ids)), BallotBox.closed.is_(False)
        )
    ).all()
    links = {box.id: _read_key(box).link(user_id) for box in boxes}
    if not links:
        return set()
    found = db.session.scalars(
        sa.select(SealedBallot.box_id).where(
            SealedBallot.kind == Kind.ballot.value,
            sa.or_(
                *(sa.and_(SealedBallot.box_id == box_id, SealedBallot.link == link) for box_id, link in links.items())
            ),
        )
    ).all()
    return {box.vote_id for box in boxes if box.id in set(found)}


def turnout(purpose: str, vote_id: int) -> int:
    """How many members have a ballot in the open vote."""
    _check_purpose(purpose)
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SealedBallot)
            .join(BallotBox, BallotBox.id == SealedBallot.box_id)
            .where(
                BallotBox.purpose == purpose,
                BallotBox.vote_id == vote_id,
                BallotBox.closed.is_(False),
                SealedBallot.kind == Kind.ballot.value,
            )
        )
        or 0
    )


def drafts(purpose: str, vote_id: int, user_ids: Iterable[int]) -> dict[int, Draft]:
    """The drafts of these members (a draft is newer than their ballot, if any): for the "not submitted" reminder."""
    box = _find_box(purpose, vote_id)
    if box is None or box.closed:
        return {}
    key = _read_key(box)
    by_link = {key.link(user_id): user_id for user_id in user_ids}
    rows = db.session.execute(
        sa.select(SealedBallot.link, SealedBallot.sealed).where(
            SealedBallot.box_id == box.id, SealedBallot.kind == Kind.draft.value
        )
    ).all()
    found = {}
    for link, sealed in rows:
        if link in by_link:
            payload = key.open(Kind.draft.value, link, sealed)
            found[by_link[link]] = Draft(payload["choices"], datetime.fromisoformat(payload["saved_at"]))
    return found


# --- The close ----------------------------------------------------------------------------------------------


def close(purpose: str, vote_id: int, *, keep: bool = True) -> list[Any]:
    """End the vote: every ballot's choices, in a random order, and nothing left that says whose they were.

    Run inside the closing transaction; the domain writes the returned choices as its anonymous ballots. The key
    is destroyed after the transaction commits (see ``sweep``). ``keep=False`` opens nothing (a cancelled vote,
    or a hand count that replaces the phone votes) and returns [].
    """
    box = _find_box(purpose, vote_id)
    if box is None:
        return []
    if box.closed:
        raise VoteClosedError()
    rows = db.session.execute(
        sa.select(SealedBallot.kind, SealedBallot.link, SealedBallot.sealed).where(SealedBallot.box_id == box.id)
    ).all()
    choices = []
    ballots = [row for row in rows if row.kind == Kind.ballot.value]
    if keep and ballots:
        key = _read_key(box)
        choices = [key.open(kind, link, sealed)["choices"] for kind, link, sealed in ballots]
        random.SystemRandom().shuffle(choices)
    db.session.execute(
        sa.delete(SealedBallot).where(SealedBallot.box_id == box.id).execution_options(synchronize_session=False)
    )
    box.closed = True
    db.session.flush()
    _after_commit(db.session(), _sweep_after_commit)
    return choices


# --- After the close has committed: drop old row versions, destroy the key -------------------------------------

_QUEUE = "secret_ballot.after_commit"


def _after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's outermost transaction has committed (never if it rolls back)."""
    queue = session.info.setdefault(_QUEUE, [])
    if action not in queue:
        queue.append(action)


def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction may still roll back
    for action in session.info.pop(_QUEUE, []):
        try:
            action()
        except Exception:  # noqa: BLE001 - the commit stands; the next sweep (flask notify) tries again
            log.exception("secret ballot: the clean-up after a close failed; the next sweep will retry")


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_QUEUE, None)


def _sweep_after_commit() -> None:
    _sweep()


def _drop_old_row_versions(engine: sa.Engine) -> bool:
    """Make the database files hold no older version of the sealed rows. True when that is done."""
    if engine.dialect.name == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            return True
        for attempt in range(3):
            # Outside any transaction (the raw connection is in autocommit mode). secure_delete has zeroed the
            # deleted rows in their pages; this copies the pages into the database file and empties the -wal
            # file, which still held the older page images. It waits (at most 2 s) for readers of older pages.
            raw = engine.raw_connection()
            try:
                raw.execute("PRAGMA busy_timeout=2000")
                busy, _log, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                raw.execute("PRAGMA busy_timeout=15000")
                raw.close()
            if not busy:
                return True
            time.sleep(0.1 * (attempt + 1))
        return False
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # VACUUM FULL copies row versions that an older snapshot may still see. Wait until every other session
            # of this database works on a snapshot taken after now (so after the close committed).
            horizon = connection.exec_driver_sql("SELECT xid(pg_snapshot_xmax(pg_current_snapshot()))::text").scalar()
            for attempt in range(10):
                older = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    " AND (age(backend_xmin) > age(%(x)s::xid) OR age(backend_xid) > age(%(x)s::xid))",
                    {"x": horizon},
                ).scalar()
                if not older:
                    break
                time.sleep(0.05 * (attempt + 1))  # at most about 3 s; else the next sweep tries again
            else:
                return False
            owner = connection.exec_driver_sql(
                "SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c"
                " WHERE c.oid IN ('sealed_ballots'::regclass, 'ballot_boxes'::regclass)"
            ).scalar()
            if not owner:
                # VACUUM would only warn and skip: say so, and leave the votes marked as not scrubbed.
                log.warning("secret ballot: only the owner of sealed_ballots can rewrite it (VACUUM FULL)")
                return False
            connection.exec_driver_sql("SET lock_timeout = '5s'")
            try:
                # New files for the tables, without the deleted rows; the old files are unlinked.
                connection.exec_driver_sql("VACUUM FULL sealed_ballots")
                connection.exec_driver_sql("VACUUM FULL ballot_boxes")
            except sa.exc.OperationalError:
                return False  # the lock did not come in time: the next sweep tries again
        return True
    return True


def sweep() -> None:
    """Finish every closed vote: drop the old row versions from the database files, destroy the key files.

    Runs after each close commits, and from ``flask notify`` for anything a crash left over; safe to run any time,
    in any number of processes. Also removes key files that no vote names, once they are an hour old. Call it
    outside a transaction: it uses connections of its own (on SQLite an open transaction would block them).
    """
    if db.session().in_transaction():
        raise RuntimeError("sweep() runs outside a transaction; commit or roll back first")
    _sweep()


def sweep_due(_now: datetime | None = None) -> None:
    """The due check that ``flask notify`` runs (its checks start outside a transaction)."""
    sweep()


def _sweep() -> None:
    engine = db.engine
    folder = key_dir()
    with engine.connect() as connection:
        boxes = connection.execute(
            sa.select(BallotBox.id, BallotBox.key_id, BallotBox.closed, BallotBox.scrubbed)
        ).all()
        connection.rollback()
    pending = [box for box in boxes if box.closed and not box.scrubbed]
    # SQLite's checkpoint is cheap and also clears what other writes left in the -wal file: always run it.
    dropped = _drop_old_row_versions(engine) if pending or engine.dialect.name == "sqlite" else True
    # The key goes even if the old row versions could not be dropped yet: without it they are sealed for good.
    for box in pending:
        destroy_key_file(folder / f"{box.key_id}.key")
    if folder.is_dir():
        open_keys = {box.key_id for box in boxes if not box.closed}
        now = time.time()
        for path in folder.glob("*.key"):
            # A key no open vote names: its transaction rolled back, or its vote is closed. Left alone for an hour
            # when no vote names it, so that a vote being stored right now is never robbed of its new key.
            with contextlib.suppress(FileNotFoundError):
                if path.stem not in open_keys and now - path.stat().st_mtime > ORPHAN_AGE_SECONDS:
                    destroy_key_file(path)
    if dropped and pending:
        with engine.begin() as connection:
            connection.execute(
                sa.update(BallotBox).where(BallotBox.id.in_([box.id for box in pending])).values(scrubbed=True)
            )
        if engine.dialect.name == "sqlite":
            _drop_old_row_versions(engine)  # and leave the -wal file empty after that last write too


# --- The guard: no other row in a ballot's transaction -------------------------------------------------------

_WRITTEN = "secret_ballot.written_tables"
_SEALED = "secret_ballot.sealed_written"
_ALLOWED = frozenset({"ballot_boxes", "sealed_ballots"})


class _WriteGuard:
    """Refuses any other write in a transaction that stores a sealed ballot or draft (before it or after it).

    A row written in the same transaction shares its transaction id (PostgreSQL's xmin, the WAL's commit record):
    an audit entry, a voter list or a "mark as read" there would name the voter of the ballot beside it.
    """

    @staticmethod
    def _written(session: Session) -> set[str]:
        return session.info.setdefault(_WRITTEN, set())

    def refuse_other_writes(self) -> None:
        session = db.session()
        session.flush()
        other = self._written(session) - _ALLOWED
        if other:
            raise RuntimeError(
                f"a secret ballot must be stored in a transaction of its own (also wrote {sorted(other)})"
            )

    def sealed_written(self) -> None:
        db.session().info[_SEALED] = True

    def note(self, session: Session, tables: Iterable[str]) -> None:
        tables = set(tables)
        self._written(session).update(tables)
        if session.info.get(_SEALED) and tables - _ALLOWED:
            raise RuntimeError(
                f"nothing else may be written in a secret ballot's transaction (tried {sorted(tables - _ALLOWED)})"
            )

    def reset(self, session: Session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(_WRITTEN, None)
            session.info.pop(_SEALED, None)


guard = _WriteGuard()


def _note_flush(session: Session, _context, _instances) -> None:
    tables = [
        obj.__table__.name
        for obj in (*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o)))
        if hasattr(obj, "__table__")
    ]
    if tables:
        guard.note(session, tables)


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            guard.note(state.session, [table.name])


_listening = False


def init_app(app: Flask) -> None:
    """The key folder's default, and the session listeners (registered once per process)."""
    global _listening
    app.config.setdefault("VOTE_KEY_DIR", str(Path(app.instance_path) / "vote-keys"))
    if not _listening:
        sa.event.listen(Session, "after_commit", _run_after_commit)
        sa.event.listen(Session, "after_rollback", _forget_after_rollback)
        sa.event.listen(Session, "before_flush", _note_flush)
        sa.event.listen(Session, "do_orm_execute", _note_statement)
        sa.event.listen(Session, "after_transaction_end", guard.reset)
        _listening = True

    @app.errorhandler(SecretBallotError)
    def _refused(error: SecretBallotError):
        # The domains show their own errors next to the form; this is the plain page for the rest (a lost key).
        db.session.rollback()
        code = 503 if isinstance(error, VoteKeyError) else 409
        return render_template(
            "errors/error.html", code=code, title=_l("Your vote was not stored"), text=str(error)
        ), code


@notification_signals.due_now.connect
def _sweep_when_due(sender, *, now, **kwargs) -> None:
    sweep_due(now)
