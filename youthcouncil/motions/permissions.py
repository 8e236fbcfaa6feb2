"""Who may do what with motions.

Decisions: the chair and the vice chair of the motion's (current) term open, close and cancel motions and enter
hand counts. The coordinator does not: a council decision is the council's own, and the vice chair steps in
when the chair is away. Closed motions are public (a council decision is public); open and cancelled ones are
seen by logged-in council members and the coordinator. Who voted what in a named vote is for logged-in users only.

Templates: ``motions_permissions.can_<verb>_<noun>(current_user, obj)`` (this module, an app-wide template global
registered in views.py, so the motion partials work on other domains' pages too); no role checks in templates.
The owning domains' rules for opening a council vote (consultations, budget) call ``can_open_motion``.
"""

from __future__ import annotations

from youthcouncil.auth import Role, has_role
from youthcouncil.membership.services import current_term, is_voting_member
from youthcouncil.motions.services import subject_allows


def _in_current_term(motion) -> bool:
    term = current_term()
    return term is not None and motion.term_id == term.id


def can_see_motion(user, motion) -> bool:
    if not subject_allows(user, motion):
        return False
    if motion.is_closed:
        return True
    return has_role(user, Role.member, Role.chair, Role.coordinator)


def can_vote_on_motion(user, motion) -> bool:
    return motion.is_open and _in_current_term(motion) and is_voting_member(user, motion.term)


def can_manage_motion(user, motion) -> bool:
    """Close, cancel or enter a hand count: the chair or vice chair of the current term, while the vote is open."""
    return motion.is_open and has_role(user, Role.chair) and _in_current_term(motion)


def can_open_motion(user) -> bool:
    """For the owning domains' pages: who may open a vote of the council."""
    return has_role(user, Role.chair)


def can_see_votes(user, motion) -> bool:
    """Who voted what: never for a secret vote; for a named vote, logged-in users only (the public sees the counts,
    because the names are children's)."""
    if motion.secret or motion.is_cancelled:
        return False
    if not getattr(user, "is_authenticated", False) or not can_see_motion(user, motion):
        return False
    return motion.is_open or motion.method == "phone"
