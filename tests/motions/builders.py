"""Builders for motion tests: a fake subject type the tests register their own handlers for."""

from __future__ import annotations

import itertools

from youthcouncil.motions import services

SUBJECT = "test_subject"
_ids = itertools.count(1000)


def make_motion(world, *, secret: bool = False, title: str = "Should we plant trees by the school?", subject_id=None):
    return services.open_motion(
        subject_type=SUBJECT,
        subject_id=subject_id if subject_id is not None else next(_ids),
        title=title,
        opened_by=world.chair,
        secret=secret,
    )


def vote(motion, user, choice):
    """``cast_vote`` as the vote page calls it: in a transaction of its own (a secret ballot may share it with
    nothing). On an error the transaction is rolled back."""
    from youthcouncil.extensions import db

    db.session.commit()
    try:
        result = services.cast_vote(motion, user, choice)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result
