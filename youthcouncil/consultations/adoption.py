"""The council's adoption vote on a draft response: a motion (see youthcouncil.motions) about one draft version.

The motions domain owns the vote; this module opens it, and learns how it ended.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from youthcouncil.audit import record
from youthcouncil.consultations import notices, permissions
from youthcouncil.consultations.models import Consultation, Decision, DraftVersion, Status
from youthcouncil.consultations.services import ConsultationError, lock_consultation, require_working
from youthcouncil.extensions import db
from youthcouncil.motions.models import Motion
from youthcouncil.motions.services import MotionError, open_motion

SUBJECT = "consultation_response"


def open_adoption_vote(consultation: Consultation, chair, version: DraftVersion, secret: bool = False):
    """The chair opens a yes/no/abstain vote on one version; the draft is frozen until the vote closes."""
    lock_consultation(consultation)
    if consultation.status == Status.voting:
        raise ConsultationError(_("A vote is already open."), "version_id")
    require_working(consultation)
    if version is None or version.consultation_id != consultation.id:
        raise ConsultationError(_("Choose the version to vote on."), "version_id")
    # The motion's title is stored once, in the council's language.
    with force_locale("nb"):
        title = _("Adopt version %(n)s of the response to “%(title)s”", n=version.number, title=consultation.title)
    try:
        motion = open_motion(
            subject_type=SUBJECT,
            subject_id=version.id,
            title=title[:200],
            opened_by=chair,
            secret=secret,
        )
    except MotionError as error:
        raise ConsultationError(str(error), "version_id") from error
    consultation.status = Status.voting
    consultation.voting_version_id = version.id
    consultation.voting_motion_id = motion.id
    record(chair, "consultation.vote_opened", consultation, {"version": version.number, "motion_id": motion.id})

    notices.vote_opened(consultation, motion)
    return motion


def on_motion_closed(motion, result) -> None:
    """Called by the motions module in the same transaction when an adoption vote closes."""
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return
    consultation = version.consultation
    decision = Decision(
        consultation=consultation,
        version_id=version.id,
        motion_id=motion.id,
        adopted=bool(result.adopted),
        quorum_met=bool(result.quorum_met),
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
        participants=result.participants,
        eligible=result.eligible,
    )
    db.session.add(decision)
    db.session.flush()
    consultation.voting_version_id = None
    consultation.voting_motion_id = None
    if result.adopted:
        consultation.status = Status.adopted
        consultation.adopted_decision = decision
        record(
            None,
            "consultation.adopted",
            consultation,
            {"version": version.number, "yes": result.yes, "no": result.no, "abstain": result.abstain},
        )
    else:
        consultation.status = Status.discussion
        record(None, "consultation.not_adopted", consultation, {"version": version.number})


def on_motion_cancelled(consultation: Consultation) -> None:
    if consultation.status == Status.voting:
        consultation.status = Status.discussion
        consultation.voting_version_id = None
        consultation.voting_motion_id = None


def current_motion(consultation: Consultation):
    if consultation.voting_motion_id is None:
        return None

    motion = db.session.get(Motion, consultation.voting_motion_id)
    if motion is not None and not motion.is_open:
        # The motion was cancelled without our handler: drafting continues.
        return None
    return motion


def motion_title(motion) -> str | None:
    """The adoption vote's title in the reader's language."""
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return None
    return _("Adopt version %(n)s of the response to “%(title)s”", n=version.number, title=version.consultation.title)


def _adopting_public(motion) -> Consultation | None:
    """The consultation when this motion adopted its response and the response is public (sent); else None."""
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return None
    consultation = version.consultation
    decision = consultation.adopted_decision
    if consultation.is_public and decision is not None and decision.motion_id == motion.id:
        return consultation
    return None


def motion_visible(user, motion) -> bool:
    """A vote on a draft response is the council's internal work until the adopted response is sent: the council
    and the coordinator see it; everybody else (clerks, the public) only the vote that adopted a sent response."""
    if getattr(user, "is_authenticated", False) and permissions.can_view_discussion(user, None):
        return True
    return _adopting_public(motion) is not None


def motion_link(motion):

    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return ("consultations.archive", {})
    if current_user.is_authenticated and permissions.can_view_request(current_user, version.consultation):
        return ("consultations.consultation_detail", {"consultation_id": version.consultation_id})
    if _adopting_public(motion) is not None:
        return ("consultations.archive_detail", {"consultation_id": version.consultation_id})
    return ("consultations.archive", {})
