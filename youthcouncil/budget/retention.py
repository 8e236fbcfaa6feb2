"""Minimise personal data in the budget when members' data is due to go (end of term + retention period)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from youthcouncil.budget.models import Event
from youthcouncil.extensions import db
from youthcouncil.membership import signals as membership_signals


def minimise_personal_data(user_ids: Iterable[int]) -> int:
    """Clear what ties budget records to these users; returns how many rows changed.

    - proposer links on events go (the event itself stays: it is the council's record);
    - the free text of proposals that never got money (not public, written by the child) is cleared;
      funded events keep their description because the public spending page shows what the money paid for;
    - ballots and drafts carry no user id (and there is no voter list), so nothing else is left to clear.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    changed = 0
    unfunded = db.session.execute(
        sa.update(Event)
        .where(Event.proposer_id.in_(ids), sa.or_(Event.funded.is_(None), Event.funded.is_(False)))
        .where(~Event.grant.has())
        .values(description="", feasibility_note=None, proposer_id=None)
        .execution_options(synchronize_session=False)
    )
    changed += unfunded.rowcount or 0
    funded = db.session.execute(
        sa.update(Event)
        .where(Event.proposer_id.in_(ids))
        .values(proposer_id=None)
        .execution_options(synchronize_session=False)
    )
    changed += funded.rowcount or 0
    db.session.expire_all()
    return changed


@membership_signals.minimise_personal_data.connect
def _minimise(sender, *, user_ids, **kwargs) -> int:
    return minimise_personal_data(user_ids)
