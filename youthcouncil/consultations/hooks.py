"""How consultations plug into the shared motions and notifications modules."""

from youthcouncil.consultations import adoption, notices
from youthcouncil.consultations.models import Consultation, DraftVersion
from youthcouncil.extensions import db


def _on_cancel(motion) -> None:
    version = db.session.get(DraftVersion, motion.subject_id)
    if version is not None:
        adoption.on_motion_cancelled(db.session.get(Consultation, version.consultation_id))


try:
    from youthcouncil.motions.services import register_outcome_handler, register_subject_link
except ImportError:  # pragma: no cover - the motions module is not installed
    pass
else:
    register_outcome_handler(adoption.SUBJECT, adoption.on_motion_closed)
    register_subject_link(adoption.SUBJECT, adoption.motion_link)
    try:
        from youthcouncil.motions.services import register_subject_visibility
    except ImportError:  # pragma: no cover
        pass
    else:
        register_subject_visibility(adoption.SUBJECT, adoption.motion_visible)
        from youthcouncil.motions.services import register_subject_title

        register_subject_title(adoption.SUBJECT, adoption.motion_title)
    try:
        from youthcouncil.motions.services import register_cancel_handler
    except ImportError:  # pragma: no cover
        pass
    else:
        register_cancel_handler(adoption.SUBJECT, _on_cancel)

try:
    from youthcouncil.notifications.services import register_due_check
except ImportError:  # pragma: no cover - the notifications module is not installed
    pass
else:
    register_due_check(notices.deadline_reminders)
