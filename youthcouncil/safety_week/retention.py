"""Retention: remove former members' words and names from their theme proposals (called by the membership run)."""

from __future__ import annotations

import sqlalchemy as sa

from youthcouncil.extensions import db
from youthcouncil.membership import signals as membership_signals
from youthcouncil.safety_week.models import Proposal


def minimise_personal_data(user_ids: list[int]) -> int:
    """Drop the "why" texts and the proposer links of these users' proposals. Titles stay: they are the record of
    what the council voted on. Returns how many proposals changed. Ballots hold nothing personal (and there is no
    voter list)."""
    if not user_ids:
        return 0

    changed = db.session.execute(
        sa.update(Proposal)
        .where(Proposal.proposer_id.in_(list(user_ids)))
        .values(why=None, proposer_id=None, slot=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return int(changed or 0)


@membership_signals.minimise_personal_data.connect
def _minimise(sender, *, user_ids, **kwargs) -> int:
    return minimise_personal_data(user_ids)
