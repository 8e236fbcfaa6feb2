"""Who may do what with a consultation. These say who; the services say when (which step allows it).

Clerks see only the requests they sent themselves (other clerks see them in the public archive once the response
is sent), and never the council's discussion or unadopted drafts.

Templates: ``consultations_permissions.can_<verb>_<noun>(current_user, obj)`` (this module, an app-wide template
global registered in views.py); no role checks in templates; the home panel computes its flags with these functions.
"""

from youthcouncil.auth import Role, has_role
from youthcouncil.consultations.models import Status
from youthcouncil.motions.permissions import can_open_motion


def is_sender(user, consultation) -> bool:
    return has_role(user, Role.clerk) and consultation.clerk_id == user.id


def is_council(user) -> bool:
    return has_role(user, Role.member)


def can_see_council_requests(user) -> bool:
    """The list of every request the council works on (a clerk's list has only their own)."""
    return is_council(user) or has_role(user, Role.coordinator)


def can_see_in_archive(user, consultation) -> bool:
    """The public archive: everyone, once the response is sent to the city."""
    return consultation.is_public


def can_send_request(user) -> bool:
    return has_role(user, Role.clerk)


def can_view_request(user, consultation) -> bool:
    return is_council(user) or has_role(user, Role.coordinator) or is_sender(user, consultation)


def can_view_discussion(user, consultation) -> bool:
    """The council's internal work (comments, drafts, versions): members and the coordinator, never a clerk."""
    return is_council(user) or has_role(user, Role.coordinator)


def can_view_attachment(user, consultation) -> bool:
    return can_view_request(user, consultation)


def can_correct_request(user, consultation) -> bool:
    return is_sender(user, consultation)


def can_withdraw_request(user, consultation) -> bool:
    return is_sender(user, consultation)


def can_open_request(user, consultation) -> bool:
    return has_role(user, Role.chair, Role.coordinator)


def can_comment(user, consultation) -> bool:
    return is_council(user)


def can_support_comment(user, comment) -> bool:
    """Any member (supporting one's own comment is refused by the service, with a message)."""
    return is_council(user)


def can_hide_comment(user, comment) -> bool:
    return has_role(user, Role.coordinator)


def can_unhide_comment(user, comment) -> bool:
    """Show a comment hidden by mistake again: whoever may hide one."""
    return can_hide_comment(user, comment)


def can_see_hidden_reason(user, comment) -> bool:
    """Why a comment was hidden: for the moderator (the council sees only that it was hidden)."""
    return can_hide_comment(user, comment)


def can_edit_draft(user, consultation) -> bool:
    """The chair and the deputy, or the member they named as writer."""
    return has_role(user, Role.chair) or (is_council(user) and consultation.writer_id == user.id)


def can_name_writer(user, consultation) -> bool:
    return has_role(user, Role.chair)


def can_open_vote(user, consultation) -> bool:
    """The adoption vote is a council motion: motions' rule says who opens one."""
    return can_open_motion(user)


def can_send_response(user, consultation) -> bool:
    return has_role(user, Role.chair)


def can_decline_request(user, consultation) -> bool:
    return has_role(user, Role.chair)


def can_record_city_decision(user, consultation) -> bool:
    return is_sender(user, consultation)


def can_view_response(user, consultation) -> bool:
    """The adopted response: the council and coordinator once adopted, the sender once it is sent."""
    if can_view_discussion(user, consultation):
        return consultation.adopted_decision_id is not None
    return is_sender(user, consultation) and consultation.status in (Status.response_sent, Status.decided)
