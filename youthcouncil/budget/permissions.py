"""Who may do what with the event budget. Views call these right after loading; templates use them too.

Templates: ``budget_permissions.can_<verb>_<noun>(current_user, obj)`` (this module, an app-wide template global
registered in views.py); no role checks in templates; home panels compute their flags with these functions.
"""

from __future__ import annotations

from youthcouncil.auth import Role, has_role
from youthcouncil.budget.ballot import is_eligible_voter
from youthcouncil.budget.models import BudgetYear, Event, Grant, GrantRequest, Phase, RequestStatus
from youthcouncil.motions.permissions import can_open_motion


def can_manage_budget(user) -> bool:
    return has_role(user, Role.coordinator)


def can_view_budget(user) -> bool:
    return has_role(user, Role.member, Role.chair, Role.coordinator)


def can_edit_year(user, year: BudgetYear) -> bool:
    return can_manage_budget(user) and not year.imported and year.closed_at is None


def can_propose_event(user, year: BudgetYear) -> bool:
    return has_role(user, Role.member, Role.coordinator) and not year.imported and year.phase() == Phase.proposing


def can_propose_on_behalf(user) -> bool:
    """The coordinator may enter a proposal for a member (e.g. one made at a meeting)."""
    return can_manage_budget(user)


def can_view_event(user, event: Event) -> bool:
    return can_view_budget(user)


def can_see_feasibility_note(user, event: Event) -> bool:
    """The proposer sees why their cost was adjusted or the event is not feasible; so does the coordinator."""
    return can_manage_budget(user) or (event.proposer_id is not None and event.proposer_id == getattr(user, "id", None))


def can_check_event(user, event: Event) -> bool:
    return (
        can_manage_budget(user)
        and not event.mid_year
        and not event.year.imported
        and event.year.phase() in (Phase.proposing, Phase.feasibility)
    )


def can_vote(user, year: BudgetYear) -> bool:
    """Reaching the voting page: a member during voting (the service checks the full seat and the phase again)."""
    return not year.imported and year.phase() == Phase.voting and is_eligible_voter(user)


def can_cast_ballot(user) -> bool:
    """Save or submit a ballot: an eligible voter. The service checks the phase (a late ballot gets a message)."""
    return is_eligible_voter(user)


def can_see_turnout(user, year: BudgetYear) -> bool:
    """How many have voted, while the vote runs or waits to be closed: for the coordinator."""
    return can_manage_budget(user) and not year.imported and year.phase() in (Phase.voting, Phase.voting_ended)


def can_close_year(user, year: BudgetYear) -> bool:
    return can_manage_budget(user) and not year.imported and year.phase() == Phase.voting_ended


def can_view_result(user, year: BudgetYear) -> bool:
    return year.phase() in (Phase.counted, Phase.decided)


def can_export_year(user, year: BudgetYear) -> bool:
    """The round as a pabulib file: public once counted."""
    return can_view_result(user, year)


def can_download_spending(user, year: BudgetYear) -> bool:
    """The spending CSV: public once the outcome is decided."""
    return year.phase() == Phase.decided


def can_confirm_outcome(user, year: BudgetYear) -> bool:
    return has_role(user, Role.chair) and year.phase() == Phase.counted


def can_record_spending(user, grant: Grant) -> bool:
    return can_manage_budget(user)


def can_request_grant(user, year: BudgetYear) -> bool:
    return has_role(user, Role.member) and not year.imported and year.phase() == Phase.decided and year.remaining > 0


def can_put_request_to_vote(user, request: GrantRequest) -> bool:
    """The chair opens the council's vote on a request (motions' rule); the coordinator, who runs the budget, may
    too (a request may come in between meetings)."""
    return (can_open_motion(user) or can_manage_budget(user)) and request.status == RequestStatus.proposed


def can_import_round(user) -> bool:
    return can_manage_budget(user)
