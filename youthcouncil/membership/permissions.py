"""Who may do what in membership: one function per action, used by the views and the templates.

Templates: ``membership_permissions.can_<verb>_<noun>(current_user, obj)`` (this module, an app-wide template global
registered in views.py); no role checks in templates; home panels compute their flags with these functions.
"""

from youthcouncil.auth import Role, has_role
from youthcouncil.membership.models import NominationStatus


def _is_rep_of(user, school) -> bool:
    return has_role(user, Role.school_rep) and school is not None and user.school_id == school.id


def can_manage_schools(user) -> bool:
    return has_role(user, Role.coordinator)


def can_manage_terms(user) -> bool:
    return has_role(user, Role.coordinator)


def can_close_term(user, term) -> bool:
    return has_role(user, Role.coordinator) and not term.is_closed


def can_view_school_nominations(user, school) -> bool:
    """The coordinator sees every school; a school rep only their own."""
    return has_role(user, Role.coordinator) or _is_rep_of(user, school)


def can_nominate(user, school) -> bool:
    return _is_rep_of(user, school)


def can_change_nomination(user, nomination) -> bool:
    """Edit or withdraw: the school's own rep, until the coordinator has decided."""
    return _is_rep_of(user, nomination.school) and nomination.status == NominationStatus.pending


def can_review_nomination(user, nomination) -> bool:
    return has_role(user, Role.coordinator) and nomination.status == NominationStatus.pending


def can_record_consent(user, nomination) -> bool:
    return (
        (has_role(user, Role.coordinator) or _is_rep_of(user, nomination.school))
        and nomination.needs_consent
        and nomination.consent_recorded_at is None
        and nomination.status in (NominationStatus.pending, NominationStatus.approved)
    )


def can_print_sheets(user, school) -> bool:
    return has_role(user, Role.coordinator)


def can_set_office(user, membership) -> bool:
    return has_role(user, Role.coordinator) and membership.active and not membership.term.is_closed


def can_see_full_roster(user) -> bool:
    return has_role(user, Role.member, Role.chair, Role.clerk, Role.coordinator)


def can_read_audit_log(user) -> bool:
    return has_role(user, Role.coordinator)
