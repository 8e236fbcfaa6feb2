"""Who is told what about the theme round: in-app messages through the notifications domain."""

from __future__ import annotations

import sqlalchemy as sa

from youthcouncil.accounts.models import User
from youthcouncil.extensions import db
from youthcouncil.i18n import N_
from youthcouncil.links import site_path
from youthcouncil.membership.models import Term
from youthcouncil.membership.services import voting_members_query
from youthcouncil.notifications.services import notify
from youthcouncil.safety_week.models import Proposal, ThemeRound


def tell_proposer(users, *, kind: str, message, params: dict, proposal: Proposal, key_suffix: str = "") -> None:
    """An in-app message through the notifications domain (the proposal page shows the outcome too)."""
    users = [user for user in users if user is not None]
    if not users:
        return
    notify(
        users,
        kind=kind,
        message=message,
        params=params,
        link=site_path("safety_week.proposal_detail", proposal_id=proposal.id),
        dedupe_key=f"{kind}:{proposal.id}:{proposal.status}{':' + key_suffix if key_suffix else ''}",
    )


def result_counted(round_: ThemeRound) -> None:
    if round_.term_id is None:
        return
    term = db.session.get(Term, round_.term_id)
    users = db.session.scalars(sa.select(User).where(User.id.in_(voting_members_query(term)))).all()
    link = site_path("safety_week.round_result", round_id=round_.id)
    notify(
        users,
        kind="safety_week.result",
        message=N_("The safety-week vote is counted. See which theme won!"),
        params={},
        link=link,
        dedupe_key=f"safety_week.result:{round_.id}",
    )
