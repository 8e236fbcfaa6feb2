"""Minimise personal data in accounts when members' data is due to go (end of term + retention period)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from youthcouncil.accounts.models import ExternalIdentity
from youthcouncil.extensions import db


def minimise_personal_data(user_ids: Iterable[int]) -> int:
    """Forget which provider accounts (Feide) log into these accounts; returns how many connections went."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    removed = db.session.execute(
        sa.delete(ExternalIdentity)
        .where(ExternalIdentity.user_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return removed.rowcount or 0
