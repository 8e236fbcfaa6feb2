"""Every write and every rule of the safety-week theme round: rounds, proposals, the secret ballot.

Next to this module: ``results`` (the counted result, explained), ``open_data`` (PrefLib files) and ``notices``.

Secret ballot: while voting is open each member's ballot is sealed in ``youthcouncil.secret_ballot`` (purpose
"theme"), found again only through the member's keyed link; counting the round opens the box and writes the rankings
as ``Ballot`` rows in a random order, without voter or time. Nothing here writes a ballot or a voter to the audit log.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from youthcouncil import secret_ballot
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.db_setup import is_locked, note_locked
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import N_
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.membership.models import Membership, Term
from youthcouncil.membership.services import count_voting_members, current_term, is_voting_member
from youthcouncil.names import folded
from youthcouncil.notifications import signals as notification_signals
from youthcouncil.safety_week import notices
from youthcouncil.safety_week.models import (
    PROPOSALS_PER_MEMBER,
    REASON_MAX,
    TITLE_MAX,
    WHY_MAX,
    Ballot,
    Method,
    Phase,
    Proposal,
    ProposalStatus,
    ThemeRound,
)
from youthcouncil.voting import ranked


class SafetyWeekError(DomainError):
    """A rule of the theme round said no (see DomainError)."""


# --- Reading ---------------------------------------------------------------------------------------------------------


def rounds_newest_first() -> list[ThemeRound]:
    return list(db.session.scalars(sa.select(ThemeRound).order_by(ThemeRound.year.desc(), ThemeRound.id.desc())))


def closed_rounds() -> list[ThemeRound]:
    return list(
        db.session.scalars(
            sa.select(ThemeRound).where(ThemeRound.closed_at.is_not(None)).order_by(ThemeRound.year.desc())
        )
    )


# Built once: a vote and the ballot page run it (building a statement costs more than running it).
_ROUND = (
    sa.select(ThemeRound).where(ThemeRound.id == sa.bindparam("round_id")).options(joinedload(ThemeRound.proposals))
)
_ROUND_FOR_UPDATE = _ROUND.with_for_update(of=ThemeRound).execution_options(populate_existing=True)


def round_with_proposals(round_id: int, *, for_update: bool = False) -> ThemeRound | None:
    """The round and its proposals in one query; ``for_update``: locked for the rest of the transaction (a vote)."""
    query = _ROUND_FOR_UPDATE if for_update else _ROUND
    round_ = db.session.scalars(query, {"round_id": round_id}).unique().first()
    if round_ is not None and for_update:
        note_locked(db.session, round_)
    return round_


def current_round() -> ThemeRound | None:
    """The newest round of the current term that is not counted yet; else None."""
    term = current_term()
    if term is None:
        return None
    return (
        db.session.scalars(
            sa.select(ThemeRound)
            .where(ThemeRound.term_id == term.id, ThemeRound.closed_at.is_(None), ThemeRound.imported.is_(False))
            .order_by(ThemeRound.voting_closes_at.desc())
            .limit(1)
            .options(joinedload(ThemeRound.proposals))
        )
        .unique()
        .first()
    )


def voting_round_now(now: datetime | None = None) -> ThemeRound | None:
    """The current term's round whose voting is open now (the most urgent one for a member), if any."""
    term = current_term()
    if term is None:
        return None
    now = now or utcnow()
    return db.session.scalars(
        sa.select(ThemeRound)
        .where(
            ThemeRound.term_id == term.id,
            ThemeRound.closed_at.is_(None),
            ThemeRound.imported.is_(False),
            ThemeRound.voting_opens_at <= now,
            ThemeRound.voting_closes_at > now,
        )
        .order_by(ThemeRound.voting_closes_at)
        .limit(1)
    ).first()


def _home_rounds_query(*, with_term: bool) -> sa.Select:
    def first_id(*where, order) -> sa.ScalarSelect:
        return sa.select(ThemeRound.id).where(*where).order_by(order).limit(1).scalar_subquery()

    wanted = [ThemeRound.id == first_id(ThemeRound.closed_at.is_not(None), order=ThemeRound.closed_at.desc())]
    if with_term:
        now = sa.bindparam("now", type_=ThemeRound.voting_opens_at.type)
        open_ = (
            ThemeRound.term_id == sa.bindparam("term_id"),
            ThemeRound.closed_at.is_(None),
            ThemeRound.imported.is_(False),
        )
        voting = (ThemeRound.voting_opens_at <= now, ThemeRound.voting_closes_at > now)
        wanted.append(ThemeRound.id == first_id(*open_, *voting, order=ThemeRound.voting_closes_at))
        wanted.append(ThemeRound.id == first_id(*open_, order=ThemeRound.voting_closes_at.desc()))
    return sa.select(ThemeRound).where(sa.or_(*wanted)).options(joinedload(ThemeRound.proposals))


# Built once (every member's home page runs one of them).
_HOME_ROUNDS = _home_rounds_query(with_term=True)
_HOME_ROUNDS_NO_TERM = _home_rounds_query(with_term=False)


def home_rounds(now: datetime | None = None) -> tuple[ThemeRound | None, ThemeRound | None]:
    """(``voting_round_now()`` or else ``current_round()``, ``latest_closed_round()``), with their proposals, in one
    query (the home page)."""
    now = now or utcnow()
    term = current_term()
    parameters = {"now": now, "term_id": None if term is None else term.id}
    found = db.session.scalars(_HOME_ROUNDS if term is not None else _HOME_ROUNDS_NO_TERM, parameters).unique().all()
    closed = [r for r in found if r.closed_at is not None]
    open_rounds = [r for r in found if r.closed_at is None]
    voting_now = [r for r in open_rounds if r.voting_opens_at <= now < r.voting_closes_at]
    if voting_now:
        shown = min(voting_now, key=lambda r: r.voting_closes_at)
    else:
        shown = max(open_rounds, key=lambda r: r.voting_closes_at, default=None)
    return shown, closed[0] if closed else None


def latest_closed_round() -> ThemeRound | None:
    return db.session.scalars(
        sa.select(ThemeRound).where(ThemeRound.closed_at.is_not(None)).order_by(ThemeRound.closed_at.desc()).limit(1)
    ).first()


def visible_proposals(round_: ThemeRound) -> list[Proposal]:
    """Everyone's proposals, withdrawn ones left out."""
    return [p for p in round_.proposals if p.status != ProposalStatus.withdrawn]


def proposals_of(round_: ThemeRound, user) -> list[Proposal]:
    return [p for p in round_.proposals if p.proposer_id == user.id and p.status != ProposalStatus.withdrawn]


def proposals_to_review(round_: ThemeRound) -> list[Proposal]:
    return [p for p in round_.proposals if p.status == ProposalStatus.proposed]


def merged_from(proposal: Proposal) -> list[Proposal]:
    return list(
        db.session.scalars(sa.select(Proposal).where(Proposal.merged_into_id == proposal.id).order_by(Proposal.id))
    )


def candidates(round_: ThemeRound) -> list[Proposal]:
    """The themes on the ballot: the kept proposals, in a fixed order (the order of the tie-break lot)."""
    return sorted(round_.kept_proposals, key=lambda p: p.id)


# --- Eligibility -----------------------------------------------------------------------------------------------------


def is_member_of_term(user, term_id: int | None) -> bool:
    if term_id is None or user is None or not user.is_authenticated:
        return False
    current = current_term()
    if current is None or current.id != term_id:
        return False
    return (
        db.session.scalar(
            sa.select(Membership.id).where(
                Membership.term_id == term_id, Membership.user_id == user.id, Membership.active.is_(True)
            )
        )
        is not None
    )


def is_eligible_voter(user, round_: ThemeRound) -> bool:
    """Active members of the current term with a full seat, if the round belongs to that term."""
    term = current_term()
    return term is not None and term.id == round_.term_id and is_voting_member(user, term)


def eligible_count(round_: ThemeRound) -> int:
    if round_.term_id is None:
        return 0
    return count_voting_members(db.session.get(Term, round_.term_id))


# --- Rounds ----------------------------------------------------------------------------------------------------------


@dataclass
class RoundDates:
    proposing_opens_at: datetime
    proposing_closes_at: datetime
    voting_opens_at: datetime
    voting_closes_at: datetime


def _check_dates(dates: RoundDates) -> None:
    if not dates.proposing_opens_at < dates.proposing_closes_at:
        raise SafetyWeekError(_l("Proposing must close after it opens."), "proposing_closes_at")
    if not dates.proposing_closes_at <= dates.voting_opens_at:
        raise SafetyWeekError(_l("Voting can open when proposing has closed, not before."), "voting_opens_at")
    if not dates.voting_opens_at < dates.voting_closes_at:
        raise SafetyWeekError(_l("Voting must close after it opens."), "voting_closes_at")


def check_round_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise SafetyWeekError(_l("Write a name for the round."), "title")
    if len(title) > 120:
        raise SafetyWeekError(_l("Use at most 120 characters."), "title")
    return title


def first_free_year(year: int) -> int:
    """``year``, or the first year after it that has no round yet (one round a year)."""
    taken = set(db.session.scalars(sa.select(ThemeRound.year).where(ThemeRound.year >= year)))
    while year in taken:
        year += 1
    return year


def create_round(
    *, year: int, title: str, dates: RoundDates, method: Method = Method.irv, by=None, term: Term | None = None
) -> ThemeRound:
    term = term or current_term()
    if term is None:
        raise SafetyWeekError(_l("There is no current term. Create a term first."), "year")
    title = check_round_title(title)
    _check_dates(dates)
    if db.session.scalar(sa.select(ThemeRound.id).where(ThemeRound.year == year)) is not None:
        raise SafetyWeekError(_l("There is already a round for %(year)s.", year=year), "year")
    round_ = ThemeRound(
        term_id=term.id,
        year=year,
        title=title,
        method=Method(method),
        created_by_id=getattr(by, "id", None),
        **vars(dates),
    )
    db.session.add(round_)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise SafetyWeekError(_l("There is already a round for %(year)s.", year=year), "year") from None
    record(by, "safety_week.round_created", round_, {"year": year, "method": str(method)})
    return round_


def _lock(round_: ThemeRound) -> ThemeRound:
    """Re-read the round inside this transaction (SELECT ... FOR UPDATE on PostgreSQL; SQLite writers queue),
    unless it is already current and locked in it."""
    if not is_locked(db.session, round_):
        # OF sw_rounds: a round read with its proposals (joined) is refreshed the same way, and PostgreSQL cannot
        # lock the nullable side of that outer join.
        db.session.refresh(round_, with_for_update={"of": ThemeRound})
        note_locked(db.session, round_)
    return round_


def update_round(round_: ThemeRound, *, title: str, dates: RoundDates, method: Method, by=None, now=None) -> None:
    """Change the name, the dates or the method: only before voting opens."""
    now = now or utcnow()
    _lock(round_)
    if round_.imported or round_.method_locked(now):
        raise SafetyWeekError(_l("Voting has opened: the round can no longer be changed."), "method")
    title = check_round_title(title)
    _check_dates(dates)
    round_.title = title
    for name, value in vars(dates).items():
        setattr(round_, name, value)
    round_.method = Method(method)
    db.session.flush()
    record(by, "safety_week.round_changed", round_, {"method": str(method)})


PHASE_ACTIONS = ("open_proposing", "close_proposing", "open_voting", "close_voting", "count")


def change_phase(round_: ThemeRound, action: str, *, by=None, now: datetime | None = None) -> None:
    """The coordinator opens or closes a phase early, or counts a round whose voting has closed."""
    now = now or utcnow()
    _lock(round_)
    phase = round_.phase(now)
    if action == "open_proposing" and phase == Phase.upcoming:
        round_.proposing_opens_at = now
    elif action == "close_proposing" and phase == Phase.proposing:
        round_.proposing_closes_at = now
    elif action == "open_voting" and phase in (Phase.upcoming, Phase.proposing, Phase.review):
        if len(round_.kept_proposals) < 2:
            raise SafetyWeekError(_l("Keep at least two themes before voting opens."))
        round_.proposing_opens_at = min(round_.proposing_opens_at, now)
        round_.proposing_closes_at = min(round_.proposing_closes_at, now)
        round_.voting_opens_at = now
    elif action == "close_voting" and phase == Phase.voting:
        round_.voting_closes_at = now
        db.session.flush()
        record(by, "safety_week.phase_changed", round_, {"action": action})
        count_round(round_, by=by, now=now)
        return
    elif action == "count" and phase == Phase.counting:
        count_round(round_, by=by, now=now)
        return
    else:
        raise SafetyWeekError(_l("That step does not fit the round's phase now. Reload the page to see where it is."))
    db.session.flush()
    record(by, "safety_week.phase_changed", round_, {"action": action})


def count_round(round_: ThemeRound, *, by=None, now: datetime | None = None) -> bool:
    """Close a round whose voting has ended: draw the lot's seed, open the ballot box. Idempotent.

    Returns True if this call closed it. A conditional UPDATE makes sure only one caller does.
    """
    now = now or utcnow()
    if round_.phase(now) != Phase.counting:
        return False
    seed = secrets.token_hex(8)
    closed = db.session.execute(
        sa.update(ThemeRound)
        .where(ThemeRound.id == round_.id, ThemeRound.closed_at.is_(None), ThemeRound.voting_closes_at <= now)
        .values(closed_at=now, lot_seed=seed, eligible_count=eligible_count(round_))
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        db.session.refresh(round_)
        return False
    # The sealed ballots come out in a random order, with nothing that says whose they were; the vote key is
    # destroyed once this transaction has committed.
    rankings = secret_ballot.close(PURPOSE, round_.id)
    for ranking in rankings:
        db.session.add(Ballot(round_id=round_.id, ranking=ranking, weight=1))
    db.session.flush()
    db.session.refresh(round_)
    record(by, "safety_week.round_counted", round_, {"ballots": len(rankings)})
    notices.result_counted(round_)
    return True


def count_due_rounds(now: datetime | None = None) -> int:
    """Count every round whose voting has closed (run by ``flask notify`` and ``flask safety-week count``)."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(ThemeRound).where(ThemeRound.closed_at.is_(None), ThemeRound.voting_closes_at <= now)
    ).all()
    return sum(1 for round_ in due if count_round(round_, now=now))


@notification_signals.due_now.connect
def _count_rounds_whose_voting_closed(sender, *, now, **kwargs) -> None:
    count_due_rounds(now)


# --- Proposals -------------------------------------------------------------------------------------------------------


def _clean_proposal(title: str, why: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    why = (why or "").strip().replace("\r\n", "\n")
    if not title:
        raise SafetyWeekError(_l("Write a short name for the theme."), "title")
    if len(title) > TITLE_MAX:
        raise SafetyWeekError(_l("Use at most %(max)s characters.", max=TITLE_MAX), "title")
    if len(why) > WHY_MAX:
        raise SafetyWeekError(_l("Use at most %(max)s characters.", max=WHY_MAX), "why")
    return title, why


def _require_proposing(round_: ThemeRound, now: datetime) -> None:
    if round_.phase(now) != Phase.proposing:
        raise SafetyWeekError(_l("Proposing is closed now, so this could not be saved. Thank you for trying!"))


def _full_message():
    return _l("You already have %(max)s themes. Withdraw one if you want to propose another.", max=PROPOSALS_PER_MEMBER)


def propose(round_: ThemeRound, user, *, title: str, why: str, now: datetime | None = None) -> Proposal:
    now = now or utcnow()
    _lock(round_)
    _require_proposing(round_, now)
    if not is_member_of_term(user, round_.term_id):
        raise SafetyWeekError(_l("Only members of the council can propose themes."))
    title, why = _clean_proposal(title, why)
    own = list(
        db.session.scalars(
            sa.select(Proposal).where(
                Proposal.round_id == round_.id,
                Proposal.proposer_id == user.id,
                Proposal.status != ProposalStatus.withdrawn,
            )
        )
    )
    for earlier in own:
        if folded(earlier.title) == folded(title) and (earlier.why or "") == (why or ""):
            # The same form sent twice (a double tap, a resend on a slow network): one proposal, one slot used.
            return earlier
    taken = {proposal.slot for proposal in own}
    free = [slot for slot in range(1, PROPOSALS_PER_MEMBER + 1) if slot not in taken]
    if not free:
        raise SafetyWeekError(_full_message(), "title")
    proposal = Proposal(
        round_id=round_.id,
        title=title,
        why=why or None,
        proposer_id=user.id,
        slot=free[0],
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(proposal)
            db.session.flush()
    except IntegrityError:
        raise SafetyWeekError(_full_message(), "title") from None
    db.session.expire(round_, ["proposals"])
    record(user, "safety_week.proposed", proposal)
    return proposal


def edit_proposal(proposal: Proposal, user, *, title: str, why: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    _lock(proposal.round)
    _require_proposing(proposal.round, now)
    if proposal.proposer_id != user.id or not proposal.is_live:
        raise SafetyWeekError(_l("This proposal can no longer be changed."))
    proposal.title, why = _clean_proposal(title, why)
    proposal.why = why or None
    proposal.updated_at = now
    db.session.flush()
    record(user, "safety_week.proposal_edited", proposal)


def withdraw_proposal(proposal: Proposal, user, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    _lock(proposal.round)
    _require_proposing(proposal.round, now)
    if proposal.proposer_id != user.id or not proposal.is_live:
        raise SafetyWeekError(_l("This proposal can no longer be withdrawn."))
    proposal.status = ProposalStatus.withdrawn
    proposal.updated_at = now
    db.session.flush()
    record(user, "safety_week.proposal_withdrawn", proposal)


def _require_review_open(round_: ThemeRound, now: datetime) -> None:
    if round_.method_locked(now):
        raise SafetyWeekError(_l("Voting has opened, so the themes can no longer be changed."))


def keep_proposal(proposal: Proposal, *, by=None, now: datetime | None = None) -> None:
    now = now or utcnow()
    _lock(proposal.round)
    _require_review_open(proposal.round, now)
    if not proposal.is_live:
        raise SafetyWeekError(_l("Only a live proposal can be kept."), "decision")
    proposal.status = ProposalStatus.kept
    proposal.decline_reason = None
    proposal.reviewed_at = now
    db.session.flush()
    record(by, "safety_week.proposal_kept", proposal)


def decline_proposal(proposal: Proposal, reason: str, *, by=None, now: datetime | None = None) -> None:
    now = now or utcnow()
    _lock(proposal.round)
    _require_review_open(proposal.round, now)
    reason = " ".join((reason or "").split())
    if not reason:
        raise SafetyWeekError(_l("Write a kind reason. The proposer will see it."), "reason")
    if len(reason) > REASON_MAX:
        raise SafetyWeekError(_l("Use at most %(max)s characters.", max=REASON_MAX), "reason")
    if not proposal.is_live:
        raise SafetyWeekError(_l("Only a live proposal can be declined."), "decision")
    proposal.status = ProposalStatus.declined
    proposal.decline_reason = reason
    proposal.reviewed_at = now
    db.session.flush()
    record(by, "safety_week.proposal_declined", proposal)
    notices.tell_proposer(
        [proposal.proposer],
        kind="safety_week.declined",
        message=N_("Your theme “%(title)s” is not in the vote. The coordinator says: %(reason)s"),
        params={"title": proposal.title, "reason": reason},
        proposal=proposal,
    )


def merge_proposals(
    proposal: Proposal, into: Proposal, *, title: str | None = None, by=None, now: datetime | None = None
) -> None:
    """Two proposals say the same thing: ``proposal`` joins ``into``, which is kept (maybe with a better title)."""
    now = now or utcnow()
    _lock(proposal.round)
    _require_review_open(proposal.round, now)
    if into.id == proposal.id or into.round_id != proposal.round_id:
        raise SafetyWeekError(_l("Choose another proposal from the same round."), "merge_into")
    if not proposal.is_live or not into.is_live:
        raise SafetyWeekError(_l("Only live proposals can be merged."), "merge_into")
    if title:
        into.title, _why = _clean_proposal(title, "")
    proposal.status = ProposalStatus.merged
    proposal.merged_into = into
    proposal.reviewed_at = now
    into.status = ProposalStatus.kept
    into.reviewed_at = now
    db.session.flush()
    record(by, "safety_week.proposals_merged", proposal, {"into": into.id})
    message = N_("Your theme “%(title)s” was merged with a similar one. They are in the vote together as “%(into)s”.")
    notices.tell_proposer(
        [proposal.proposer],
        kind="safety_week.merged",
        message=message,
        params={"title": proposal.title, "into": into.title},
        proposal=proposal,
    )
    notices.tell_proposer(
        [into.proposer],
        kind="safety_week.merged",
        message=message,
        params={"title": into.title, "into": into.title},
        proposal=into,
        key_suffix=f"from-{proposal.id}",
    )


# --- Ballots ---------------------------------------------------------------------------------------------------------

#: The theme round's ballots in the secret-ballot module (see youthcouncil/secret_ballot.py).
PURPOSE = "theme"


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def has_voted(round_: ThemeRound, user) -> bool:
    """Is there a ballot of this member in the open round? (Nothing can tell once it is counted.)"""
    if round_.is_closed or user is None or not getattr(user, "is_authenticated", False):
        return False
    return secret_ballot.has_voted(PURPOSE, round_.id, user.id)


def own_current_ranking(round_: ThemeRound, user) -> list[list[int]] | None:
    """The member's own current ballot, found through their keyed link (only before the round is counted)."""
    if round_.is_closed or user is None or not getattr(user, "is_authenticated", False):
        return None
    return secret_ballot.own_ballot(PURPOSE, round_.id, user.id)


def clean_ranking(round_: ThemeRound, ranking: list[int]) -> list[list[int]]:
    """A ballot as stored: ranked themes best first (``[[a], [b]]``) or, for approval, one rank (``[[a, b]]``)."""
    allowed = {p.id for p in candidates(round_)}
    chosen = list(ranking)
    if any(theme not in allowed for theme in chosen):
        raise SafetyWeekError(_l("That theme is not in the vote. Reload the page and try again."), "ranking")
    if len(set(chosen)) != len(chosen):
        raise SafetyWeekError(_l("A theme can only have one place."), "ranking")
    if not chosen:
        if round_.method == Method.approval:
            raise SafetyWeekError(_l("Tick at least one theme you like."), "ranking")
        raise SafetyWeekError(_l("Choose at least one theme."), "ranking")
    if round_.method == Method.approval:
        return [sorted(chosen)]
    return [[theme] for theme in chosen]


@dataclass
class Receipt:
    #: The time of this request: shown on the answer page only, never stored with the ballot.
    voted_at: datetime
    repeated: bool = False  # True when this was a retry of a submission already counted


def _too_late():
    # The form keys went with the ballots' links at the close, so a retry of a counted vote looks the same.
    return _l(
        "Voting is closed now, so this vote could not be counted. If you voted before it closed, that vote counts."
    )


def submit_ballot(
    round_: ThemeRound, user, ranking: list[int], idempotency_key: str, *, now: datetime | None = None
) -> Receipt:
    """Cast or replace the member's ballot. A retry with the same idempotency key changes nothing.

    Nothing but the sealed ballot is written in this transaction (no voter list, no time, no audit entry).
    """
    now = now or utcnow()
    key = (idempotency_key or "").strip()
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        raise SafetyWeekError(_l("The form was incomplete. Reload the page and vote again."), "ranking") from None
    _lock(round_)
    stored = clean_ranking(round_, ranking)
    if round_.phase(now) != Phase.voting:
        raise SafetyWeekError(_too_late())
    if not is_eligible_voter(user, round_):
        raise SafetyWeekError(_l("Only members of the council with a full seat can vote."))
    try:
        outcome = secret_ballot.cast(PURPOSE, round_.id, user.id, stored, idempotency_key=key)
    except secret_ballot.VoteClosedError:
        raise SafetyWeekError(_too_late()) from None
    if outcome is secret_ballot.CastResult.key_reused:
        # The same page sent twice with different choices (the back button, say): never drop the new choice
        # silently; the page comes back with the choices kept and a fresh key, so one more press sends them.
        raise SafetyWeekError(
            _l("This page was already used to send a vote. Check your choices and press the button again."),
            "ranking",
        )
    return Receipt(voted_at=now, repeated=outcome is secret_ballot.CastResult.repeated)


def counted_ballots(round_: ThemeRound) -> list[tuple[ranked.Ranking, int]]:
    """The ballots of a counted (or imported) round; an open round's ballots are sealed until the count."""
    rows = db.session.execute(sa.select(Ballot.ranking, Ballot.weight).where(Ballot.round_id == round_.id)).all()
    return [(tuple(frozenset(rank) for rank in ranking), weight) for ranking, weight in rows]


def turnout(round_: ThemeRound) -> tuple[int, int | None]:
    """(members who voted, members who could vote); the second is None for imported rounds."""
    if not round_.is_closed:
        return voter_count(round_), eligible_count(round_)
    voters = sum(weight for _ranking, weight in counted_ballots(round_))
    return voters, None if round_.imported else round_.eligible_count


def voter_count(round_: ThemeRound) -> int:
    """How many members have voted in the open round: the number of keyed links."""
    return secret_ballot.turnout(PURPOSE, round_.id)
