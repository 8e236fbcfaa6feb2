"""Plain words for choices and outcomes, shared by the pages, the panels and the flash messages."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from youthcouncil.motions.models import Choice
from youthcouncil.voting.motion import ADOPTED, NO_QUORUM, TIE, MotionResult

CHOICE_LABELS = {
    Choice.yes: _l("Yes"),
    Choice.no: _l("No"),
    Choice.abstain: _l("Abstain"),
}

YOU_VOTED = {
    Choice.yes: _l("You voted yes."),
    Choice.no: _l("You voted no."),
    Choice.abstain: _l("You abstained."),
}


def outcome_sentence(result: MotionResult) -> str:
    if result.reason == ADOPTED:
        return _("Adopted: more voted yes than no.")
    if result.reason == NO_QUORUM:
        return _(
            "Not adopted: too few members took part (%(participants)s of %(eligible)s; %(needed)s were needed).",
            participants=result.participants,
            eligible=result.eligible,
            needed=result.quorum_needed,
        )
    if result.reason == TIE:
        return _("Not adopted: as many voted yes as no.")
    return _("Not adopted: more voted no than yes.")


def status_label(motion) -> str:
    if motion.is_open:
        return _("Voting now")
    if motion.is_cancelled:
        return _("Stopped")
    return _("Adopted") if motion.adopted else _("Not adopted")
