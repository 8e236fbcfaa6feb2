"""Minimising personal data after a term: comments lose their text, adopted responses (council decisions) stay."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from youthcouncil.consultations.models import Comment
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.membership import signals as membership_signals


def minimise_personal_data(user_ids: Iterable[int]) -> int:
    """Remove the text of these users' comments (a neutral "removed" marker stays). Returns how many comments.

    Draft versions and the adopted response are the council's own decisions, not personal data about a child, so
    they stay; the author link of a draft is kept so the council's history reads right (first names only).
    """
    ids = [int(i) for i in user_ids]
    if not ids:
        return 0
    result = db.session.execute(
        sa.update(Comment)
        .where(Comment.author_id.in_(ids), Comment.removed_at.is_(None))
        .values(body="", removed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@membership_signals.minimise_personal_data.connect
def _minimise(sender, *, user_ids, **kwargs) -> int:
    return minimise_personal_data(user_ids)
