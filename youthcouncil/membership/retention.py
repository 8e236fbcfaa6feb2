"""The end of the retention period: 12 months after a term ends, former members' personal data is minimised."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from youthcouncil.accounts.models import AccountType, ActivationCode, User
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _
from youthcouncil.membership import signals
from youthcouncil.membership.models import Membership, Nomination, Term
from youthcouncil.membership.services import today_in_oslo

RETENTION_MONTHS = 12


def former_member_label() -> str:
    """The neutral label that replaces a former member's name, in the municipality's language (from the .po)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Former member")


def retention_cutoff(today: date | None = None) -> date:
    """Terms that ended on or before this day are past the retention period."""
    today = today or today_in_oslo()
    year, month = divmod(today.year * 12 + today.month - 1 - RETENTION_MONTHS, 12)
    day = min(today.day, 28)
    return date(year, month + 1, day)


@dataclass
class RetentionResult:
    users: int = 0
    nominations: int = 0
    other_domains: dict[str, int] | None = None


def run_retention(today: date | None = None) -> RetentionResult:
    """Minimise personal data 12 months after a term's end. Idempotent: safe to run every day."""
    cutoff = retention_cutoff(today)
    now = utcnow()
    label = former_member_label()
    result = RetentionResult(other_domains={})
    past_terms = sa.select(Term.id).where(Term.ends_on <= cutoff)
    recent_terms = sa.select(Term.id).where(Term.ends_on > cutoff)
    # Former members: seated only in terms that ended more than 12 months ago.
    former_ids = list(
        db.session.scalars(
            sa.select(User.id)
            .where(
                User.account_type == AccountType.member,
                User.id.in_(sa.select(Membership.user_id).where(Membership.term_id.in_(past_terms))),
                User.id.not_in(sa.select(Membership.user_id).where(Membership.term_id.in_(recent_terms))),
            )
            .order_by(User.id)
        )
    )
    for user in db.session.scalars(sa.select(User).where(User.id.in_(former_ids), User.anonymised_at.is_(None))):
        user.first_name = label
        user.last_name = str(user.id)
        user.username = f"former-{secrets.token_hex(8)}"
        user.passphrase_hash = None
        user.email = None
        user.active = False
        user.end_all_sessions()
        user.anonymised_at = now
        db.session.execute(sa.delete(ActivationCode).where(ActivationCode.user_id == user.id))
        result.users += 1
    for term_id in db.session.scalars(sa.select(Term.id).where(Term.ends_on <= cutoff, Term.closed_at.is_(None))):
        # A term long over but never closed: its memberships end now.
        db.session.execute(sa.update(Membership).where(Membership.term_id == term_id).values(active=False))
    for nomination in db.session.scalars(
        sa.select(Nomination).where(Nomination.term_id.in_(past_terms), Nomination.minimised_at.is_(None))
    ):
        nomination.first_name = label
        nomination.last_name = str(nomination.id)
        nomination.candidate_key = f"minimised-{nomination.id}"
        nomination.grade = None
        nomination.age_band = None
        nomination.why_me = None
        if nomination.rejection_reason is not None:
            nomination.rejection_reason = "-"
        nomination.minimised_at = now
        result.nominations += 1
    db.session.flush()
    result.other_domains = _minimise_in_other_domains(former_ids)
    if result.users or result.nominations:
        record(None, "retention.run", None, {"users": result.users, "nominations": result.nominations})
    db.session.flush()
    return result


def _minimise_in_other_domains(user_ids: list[int]) -> dict[str, int]:
    """Every domain that keeps something about these people minimises it (its receiver of the signal); the counts
    come back by domain."""
    counts: dict[str, int] = {}
    for receiver, changed in signals.minimise_personal_data.send(user_ids=list(user_ids)):
        module = receiver.__module__
        domain = module.split(".")[1] if module.startswith("youthcouncil.") else module
        counts[domain] = counts.get(domain, 0) + int(changed or 0)
    return counts
