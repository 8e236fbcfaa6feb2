"""Who may do what in the safety-week round. Views call these right after loading the object; templates too.

Templates: ``safety_week_permissions.can_<verb>_<noun>(current_user, obj)`` (this module, an app-wide template
global registered in views.py); no role checks in templates; the home panel computes its flags with these functions.
"""

from __future__ import annotations

from youthcouncil.auth import Role, has_role
from youthcouncil.safety_week.models import PROPOSALS_PER_MEMBER, Phase, ProposalStatus
from youthcouncil.safety_week.services import is_eligible_voter, is_member_of_term, proposals_of


def can_create_round(user) -> bool:
    return has_role(user, Role.coordinator)


def can_import_round(user) -> bool:
    return has_role(user, Role.coordinator)


def can_edit_round(user, round_) -> bool:
    return has_role(user, Role.coordinator) and not round_.imported and not round_.method_locked()


def can_change_phase(user, round_) -> bool:
    return has_role(user, Role.coordinator) and not round_.imported and round_.phase() != Phase.closed


def can_see_round(user, round_) -> bool:
    """The round page (proposals, dates, the tie rule) is for everyone logged in; the public sees results."""
    return user.is_authenticated


def can_propose(user, round_) -> bool:
    return (
        has_role(user, Role.member)
        and round_.phase() == Phase.proposing
        and is_member_of_term(user, round_.term_id)
        and len(proposals_of(round_, user)) < PROPOSALS_PER_MEMBER
    )


def can_see_proposal(user, proposal) -> bool:
    return user.is_authenticated and proposal.status != ProposalStatus.withdrawn or is_proposer(user, proposal)


def is_proposer(user, proposal) -> bool:
    return user.is_authenticated and proposal.proposer_id is not None and proposal.proposer_id == user.id


def can_see_decline_reason(user, proposal) -> bool:
    """The kind reason is for the proposer (and the coordinator who wrote it)."""
    return is_proposer(user, proposal) or has_role(user, Role.coordinator)


def can_edit_proposal(user, proposal) -> bool:
    return is_proposer(user, proposal) and proposal.is_live and proposal.round.phase() == Phase.proposing


def can_withdraw_proposal(user, proposal) -> bool:
    return can_edit_proposal(user, proposal)


def can_review_proposal(user, proposal) -> bool:
    return (
        has_role(user, Role.coordinator)
        and not proposal.round.imported
        and not proposal.round.method_locked()
        and proposal.is_live
    )


def can_vote(user, round_) -> bool:
    return has_role(user, Role.member) and round_.phase() == Phase.voting and is_eligible_voter(user, round_)


def can_see_result(user, round_) -> bool:
    return round_.is_closed


def can_export_round(user, round_) -> bool:
    return round_.is_closed
