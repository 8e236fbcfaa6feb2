"""The council's adoption vote on a draft response: a motion (see youthcouncil.motions) about one draft version.

The motions domain owns the vote; this module opens it, and its receivers of the motion signals record how it ended,
name it in the reader's language, link back to the request and keep votes on unsent drafts out of public view.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from youthcouncil.audit import record
from youthcouncil.consultations import notices, permissions
from youthcouncil.consultations.models import Consultation, ConsultationError, Decision, DraftVersion
from youthcouncil.consultations.services import lock_consultation
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.motions import signals as motion_signals
from youthcouncil.motions.models import Motion
from youthcouncil.motions.services import MotionError, open_motion

SUBJECT = "consultation_response"


def open_adoption_vote(consultation: Consultation, chair, version: DraftVersion, secret: bool = False):
    """The chair opens a yes/no/abstain vote on one version; the draft is frozen until the vote closes."""
    lock_consultation(consultation)
    consultation.require_vote_can_start()
    if version is None or version.consultation_id != consultation.id:
        raise ConsultationError(_l("Choose the version to vote on."), "version_id")
    # The motion's title is stored once, in the council's language.
    with force_locale("nb"):
        title = _("Should we send this answer about “%(title)s”?", title=consultation.title)
    try:
        motion = open_motion(
            subject_type=SUBJECT,
            subject_id=version.id,
            title=title[:200],
            opened_by=chair,
            secret=secret,
        )
    except MotionError as error:
        raise ConsultationError(error.lazy_message, "version_id") from error
    consultation.start_vote(version, motion.id)
    record(chair, "consultation.vote_opened", consultation, {"version": version.number, "motion_id": motion.id})

    notices.vote_opened(consultation, motion)
    return motion


@motion_signals.motion_decided.connect_via(SUBJECT)
def adoption_vote_decided(sender, *, motion, result, **kwargs) -> None:
    """The vote on a version ended (in the closing transaction): record the decision; adopted, or back to drafting."""
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
    consultation.end_vote(decision)
    notices.vote_closed(consultation, motion)
    if result.adopted:
        record(
            None,
            "consultation.adopted",
            consultation,
            {"version": version.number, "yes": result.yes, "no": result.no, "abstain": result.abstain},
        )
    else:
        record(None, "consultation.not_adopted", consultation, {"version": version.number})


@motion_signals.motion_cancelled.connect_via(SUBJECT)
def adoption_vote_stopped(sender, *, motion, **kwargs) -> None:
    """The chair stopped the vote without a decision: the draft is open for changes again."""
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return
    version.consultation.stop_vote()
    notices.vote_closed(version.consultation, motion)


def current_motion(consultation: Consultation):
    if consultation.voting_motion_id is None:
        return None
    motion = db.session.get(Motion, consultation.voting_motion_id)
    if motion is not None and not motion.is_open:
        return None
    return motion


@motion_signals.subjects_listed.connect_via(SUBJECT)
def load_adoption_subjects(sender, *, motions, **kwargs) -> list[DraftVersion]:
    """The versions voted on, with their consultations, in one query (the title and the link read them)."""
    ids = [motion.subject_id for motion in motions]
    return list(
        db.session.scalars(
            sa.select(DraftVersion).options(joinedload(DraftVersion.consultation)).where(DraftVersion.id.in_(ids))
        )
    )


@motion_signals.subject_title.connect_via(SUBJECT)
def adoption_vote_title(sender, *, motion, **kwargs) -> str | None:
    """The adoption vote's title in the reader's language."""
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return None
    return _("Should we send this answer about “%(title)s”?", title=version.consultation.title)


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


@motion_signals.subject_visible.connect_via(SUBJECT)
def adoption_vote_visible(sender, *, motion, user, **kwargs) -> bool:
    """A vote on a draft response is the council's internal work until the adopted response is sent: the council
    and the coordinator see it; everybody else (clerks, the public) only the vote that adopted a sent response."""
    if getattr(user, "is_authenticated", False) and permissions.can_view_discussion(user, None):
        return True
    return _adopting_public(motion) is not None


@motion_signals.subject_link.connect_via(SUBJECT)
def adoption_vote_link(sender, *, motion, user, **kwargs) -> tuple[str, dict]:
    """The request page for those who may see it, the archived response once it is public, else the archive."""
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is None:
        return ("consultations.archive", {})
    if getattr(user, "is_authenticated", False) and permissions.can_view_request(user, version.consultation):
        return ("consultations.consultation_detail", {"consultation_id": version.consultation_id})
    if _adopting_public(motion) is not None:
        return ("consultations.archive_detail", {"consultation_id": version.consultation_id})
    return ("consultations.archive", {})
