"""Every write about motions: opening, voting, closing (phone votes or a hand count), cancelling.

A named motion (the default) stores ``MotionVote`` rows: who voted what. A secret motion stores nothing of its own
while it is open: each member's choice is sealed in ``youthcouncil.secret_ballot`` (purpose "motion") under their
keyed link, so they can see and change it until the close; the close opens the box and keeps only the counts.

Other domains own what a motion is about. They open a motion with ``open_motion(subject_type=..., subject_id=...)``
and learn how it ended through the signals in ``youthcouncil.motions.signals`` (sent with the subject type): the
receivers run in the same transaction as the close, so the decision and its consequence commit together (or not at
all). The same signals let the owning domain name the subject, link to it and hide a motion that is not public yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.exc import IntegrityError

from youthcouncil import secret_ballot
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.membership.services import count_voting_members, current_term, is_voting_member
from youthcouncil.motions import signals
from youthcouncil.motions.models import Choice, CountMethod, Motion, MotionStatus, MotionVote
from youthcouncil.voting.motion import MotionResult, decide_motion


class MotionError(DomainError):
    """A rule of council votes said no (see DomainError)."""


# --- What the owning domain says about the subject ------------------------------------------------------------


def _answers(signal, motion: Motion, **kwargs) -> list:
    return [value for _receiver, value in signal.send(motion.subject_type, motion=motion, **kwargs)]


def motion_title(motion: Motion) -> str:
    """The title in the reader's language, from the domain that owns the subject; else the stored one."""
    try:
        titles = [title for title in _answers(signals.subject_title, motion) if title]
    except Exception:  # noqa: BLE001 - a broken receiver must not break the vote page
        titles = []
    return str(titles[0]) if titles else motion.title


def load_subjects(motions: list[Motion]) -> list:
    """Before listing ``motions``: each owning domain loads their subjects at once (``signals.subjects_listed``).
    Keep the returned list while the page renders."""
    loaded: list = []
    for subject_type in {motion.subject_type for motion in motions}:
        listed = [motion for motion in motions if motion.subject_type == subject_type]
        for _receiver, value in signals.subjects_listed.send(subject_type, motions=listed):
            loaded.append(value)
    return loaded


def subject_allows(user, motion: Motion) -> bool:
    return all(answer is not False for answer in _answers(signals.subject_visible, motion, user=user))


def subject_url(motion: Motion, user=None) -> str | None:
    links = [link for link in _answers(signals.subject_link, motion, user=user) if link]
    if not links:
        return None
    endpoint, values = links[0]
    return url_for(endpoint, **values)


# --- Queries ------------------------------------------------------------------------------------------------


def get_motion(motion_id: int) -> Motion | None:
    return db.session.get(Motion, motion_id)


def motions_for(subject_type: str, subject_id: int) -> list[Motion]:
    """Every motion about one subject, newest first."""
    return list(
        db.session.scalars(
            sa.select(Motion)
            .where(Motion.subject_type == subject_type, Motion.subject_id == subject_id)
            .order_by(Motion.opened_at.desc(), Motion.id.desc())
        )
    )


def open_motion_for(subject_type: str, subject_id: int) -> Motion | None:
    return db.session.scalars(
        sa.select(Motion).where(
            Motion.subject_type == subject_type, Motion.subject_id == subject_id, Motion.status == MotionStatus.open
        )
    ).first()


_OPEN_NOT_VOTED = (  # built once: every member's home page asks
    sa.select(Motion)
    .where(
        Motion.status == MotionStatus.open,
        Motion.term_id == sa.bindparam("term_id"),
        ~sa.exists(
            sa.select(MotionVote.id).where(
                MotionVote.motion_id == Motion.id, MotionVote.user_id == sa.bindparam("user_id")
            )
        ),
    )
    .order_by(Motion.opened_at, Motion.id)
)


def open_motions_for_user(user) -> list[Motion]:
    """Open motions this member can vote on and has not voted on yet, oldest first."""
    term = current_term()
    if term is None or not is_voting_member(user, term):
        return []
    motions = list(db.session.scalars(_OPEN_NOT_VOTED, {"term_id": term.id, "user_id": user.id}))
    secret = [m.id for m in motions if m.secret]
    secret_voted = secret_ballot.voted_in(PURPOSE, secret, user.id) if secret else set()
    return [motion for motion in motions if motion.id not in secret_voted]


#: Secret motions' ballots in the secret-ballot module (see youthcouncil/secret_ballot.py).
PURPOSE = "motion"


@dataclass(frozen=True)
class OwnSecretVote:
    """A member's own vote on an open secret motion, read through their keyed link. Not a database row: nothing
    stores the member next to the choice, and once the motion has closed nobody (not even the member) can tell."""

    choice: Choice


def _voter_row(motion: Motion, user_id: int) -> MotionVote | None:
    return db.session.scalars(
        sa.select(MotionVote).where(MotionVote.motion_id == motion.id, MotionVote.user_id == user_id)
    ).first()


def vote_of(motion: Motion, user) -> MotionVote | OwnSecretVote | None:
    """This user's own vote (None if they have not voted). A secret vote only while the motion is open."""
    if user is None or getattr(user, "id", None) is None:
        return None
    if not motion.secret:
        return _voter_row(motion, user.id)
    if not motion.is_open:
        return None
    choice = secret_ballot.own_ballot(PURPOSE, motion.id, user.id)
    return OwnSecretVote(Choice(choice)) if choice is not None else None


def named_votes(motion: Motion) -> list[MotionVote]:
    """Who voted what, by first name (never for a secret motion: callers check can_see_votes first)."""
    if motion.secret:
        return []
    return list(
        db.session.scalars(
            sa.select(MotionVote)
            .where(MotionVote.motion_id == motion.id, MotionVote.choice.is_not(None))
            .order_by(sa.case({Choice.yes: 0, Choice.no: 1, Choice.abstain: 2}, value=MotionVote.choice), MotionVote.id)
        )
    )


def _counts(choices) -> dict[Choice, int]:
    counts = {choice: 0 for choice in Choice}
    for choice in choices:
        counts[Choice(choice)] += 1
    return counts


def phone_counts(motion: Motion) -> dict[Choice, int]:
    """A named motion's votes by choice (a secret motion's are sealed until the close opens them)."""
    if motion.secret:
        raise ValueError("a secret motion is counted only when it closes")
    return _counts(
        db.session.scalars(
            sa.select(MotionVote.choice).where(MotionVote.motion_id == motion.id, MotionVote.choice.is_not(None))
        )
    )


def voted_count(motion: Motion) -> int:
    """How many members have voted on the open motion (for a secret one: the number of keyed links)."""
    if motion.secret:
        return secret_ballot.turnout(PURPOSE, motion.id)
    return db.session.scalar(sa.select(sa.func.count()).where(MotionVote.motion_id == motion.id)) or 0


# --- Writes -------------------------------------------------------------------------------------------------


def open_motion(*, subject_type: str, subject_id: int, title: str, opened_by, secret: bool = False) -> Motion:
    """Open a yes/no/abstain vote of the current term's voting members on a subject."""
    title = (title or "").strip()
    if not title:
        raise MotionError(_l("Write what the council votes on."), "title")
    if len(title) > 200:
        raise MotionError(_l("The title can be at most 200 characters."), "title")
    term = current_term()
    if term is None:
        raise MotionError(_l("There is no current term, so the council cannot vote."))
    eligible = count_voting_members(term)
    if eligible < 1:
        raise MotionError(_l("The current term has no voting members yet."))
    if open_motion_for(subject_type, subject_id) is not None:
        raise MotionError(_l("A vote on this is already open."))
    motion = Motion(
        subject_type=subject_type,
        subject_id=subject_id,
        title=title,
        term_id=term.id,
        secret=bool(secret),
        status=MotionStatus.open,
        opened_by_id=opened_by.id if opened_by is not None else None,
        opened_at=utcnow(),
        eligible=eligible,
    )
    try:
        with db.session.begin_nested():
            db.session.add(motion)
            db.session.flush()
    except IntegrityError:
        raise MotionError(_l("A vote on this is already open.")) from None
    record(
        opened_by,
        "motion.opened",
        motion,
        {"subject_type": subject_type, "subject_id": subject_id, "secret": motion.secret, "eligible": eligible},
    )
    return motion


def _reload_for_vote(motion: Motion) -> Motion:
    """Read the motion again, share-locked on PostgreSQL, so that a close waits for votes being cast."""
    return db.session.scalars(
        sa.select(Motion)
        .where(Motion.id == motion.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()


def cast_vote(motion: Motion, user, choice: Choice | str) -> MotionVote | OwnSecretVote:
    """Cast or change a member's vote. One row per member per motion, guaranteed by the database.

    A secret motion's choice is sealed under the member's keyed link instead (no row names the member).
    """
    try:
        choice = Choice(choice)
    except ValueError:
        raise MotionError(_l("Choose yes, no or abstain."), "choice") from None
    motion = _reload_for_vote(motion)
    if not motion.is_open:
        raise MotionError(_l("This vote is closed. Your vote was not counted."), "choice")
    if not is_voting_member(user, motion.term):
        raise MotionError(_l("Only the council's voting members can vote on this."), "choice")
    if motion.secret:
        return _cast_secret_vote(motion, user, choice)
    now = utcnow()
    vote = _voter_row(motion, user.id)
    if vote is None:
        try:
            with db.session.begin_nested():
                vote = MotionVote(motion_id=motion.id, user_id=user.id, choice=choice, cast_at=now, updated_at=now)
                db.session.add(vote)
                db.session.flush()
            return vote
        except IntegrityError:
            # The same member voted at the same moment from another tab or phone: change that vote instead.
            vote = _voter_row(motion, user.id)
            if vote is None:  # pragma: no cover - the unique row must exist after the conflict
                raise
    if vote.choice != choice:
        vote.choice = choice
        vote.updated_at = now
        db.session.flush()
    return vote


def _cast_secret_vote(motion: Motion, user, choice: Choice) -> OwnSecretVote:
    """The choice is sealed under the member's keyed link (one row per member, replaced on a change); no voter list,
    no time, nothing else is written in this transaction."""
    try:
        secret_ballot.cast(PURPOSE, motion.id, user.id, choice.value)
    except secret_ballot.VoteClosedError:
        raise MotionError(_l("This vote is closed. Your vote was not counted."), "choice") from None
    return OwnSecretVote(choice)


def _lock_open(motion: Motion) -> Motion:
    """Lock the motion row (FOR UPDATE on PostgreSQL; SQLite writers already queue) and check it is still open.

    Votes being cast hold a share lock on the same row, so the count that follows sees every committed vote.
    """
    motion = db.session.scalars(
        sa.select(Motion).where(Motion.id == motion.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if not motion.is_open:
        raise MotionError(_l("This vote is already closed."))
    return motion


def _claim_close(motion: Motion, by, status: MotionStatus, **values) -> None:
    """Move an open motion to ``status`` with one conditional UPDATE: of two closes at once, one wins."""
    now = utcnow()
    result = db.session.execute(
        sa.update(Motion)
        .where(Motion.id == motion.id, Motion.status == MotionStatus.open)
        .values(status=status, closed_at=now, closed_by_id=by.id if by is not None else None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(motion)
    if result.rowcount != 1:
        raise MotionError(_l("This vote is already closed."))


def _finish(motion: Motion, result: MotionResult, *, method: CountMethod, present: int, by) -> MotionResult:
    _claim_close(
        motion,
        by,
        MotionStatus.closed,
        method=method.value,
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
        present=present,
        quorum_met=result.quorum_met,
        adopted=result.adopted,
    )
    record(
        by,
        "motion.closed",
        motion,
        {
            "method": method.value,
            "yes": result.yes,
            "no": result.no,
            "abstain": result.abstain,
            "present": present,
            "eligible": result.eligible,
            "adopted": result.adopted,
            "reason": result.reason,
        },
    )
    signals.motion_decided.send(motion.subject_type, motion=motion, result=result)
    return result


def close_motion(motion: Motion, *, by) -> MotionResult:
    """Close the phone vote: count the votes and decide (quorum: half of the members took part; yes > no)."""
    motion = _lock_open(motion)
    # A secret motion's ballots come out of the box here (the key is destroyed once the close commits); only the
    # counts are kept.
    counts = _counts(secret_ballot.close(PURPOSE, motion.id)) if motion.secret else phone_counts(motion)
    cast = sum(counts.values())
    # Members who joined the term after the vote opened may have voted: never decide on fewer eligible than voters.
    eligible = max(motion.eligible, cast)
    result = decide_motion(counts[Choice.yes], counts[Choice.no], counts[Choice.abstain], eligible)
    return _finish(motion, result, method=CountMethod.phone, present=cast, by=by)


def _whole(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise MotionError(_l("Write a whole number."), field) from None
    if value < 0:
        raise MotionError(_l("The number cannot be below 0."), field)
    return value


def validate_hand_count(motion: Motion, *, yes, no, abstain, present) -> tuple[int, int, int, int]:
    yes, no, abstain, present = (
        _whole(yes, "yes"),
        _whole(no, "no"),
        _whole(abstain, "abstain"),
        _whole(present, "present"),
    )
    if present > motion.eligible:
        raise MotionError(
            _l(
                "There are only %(eligible)s voting members, so at most %(eligible)s can be present.",
                eligible=motion.eligible,
            ),
            "present",
        )
    if present < yes + no + abstain:
        raise MotionError(
            _l("%(votes)s votes were counted, so at least %(votes)s members were present.", votes=yes + no + abstain),
            "present",
        )
    return yes, no, abstain, present


def hand_count_outcome(motion: Motion, *, yes, no, abstain, present) -> MotionResult:
    """What recording this hand count would decide (checked as :func:`record_hand_count` checks it; writes nothing)."""
    yes, no, abstain, present = validate_hand_count(motion, yes=yes, no=no, abstain=abstain, present=present)
    return decide_motion(yes, no, abstain, motion.eligible, present)


def record_hand_count(motion: Motion, *, yes: int, no: int, abstain: int, present: int, by) -> MotionResult:
    """Close the motion with the numbers counted by hand at a meeting (phone votes are then not used)."""
    motion = _lock_open(motion)
    yes, no, abstain, present = validate_hand_count(motion, yes=yes, no=no, abstain=abstain, present=present)
    if motion.secret:
        secret_ballot.close(PURPOSE, motion.id, keep=False)  # the phone ballots are not used: nobody opens them
    result = decide_motion(yes, no, abstain, motion.eligible, present)
    return _finish(motion, result, method=CountMethod.hand_count, present=present, by=by)


def cancel_motion(motion: Motion, *, by) -> None:
    """Stop a vote without a decision (e.g. opened on the wrong version). Cast votes are deleted."""
    motion = _lock_open(motion)
    _claim_close(motion, by, MotionStatus.cancelled)
    db.session.execute(
        sa.delete(MotionVote).where(MotionVote.motion_id == motion.id).execution_options(synchronize_session=False)
    )
    if motion.secret:
        secret_ballot.close(PURPOSE, motion.id, keep=False)
    db.session.expire(motion, ["votes"])
    record(by, "motion.cancelled", motion, {"subject_type": motion.subject_type, "subject_id": motion.subject_id})
    signals.motion_cancelled.send(motion.subject_type, motion=motion)
