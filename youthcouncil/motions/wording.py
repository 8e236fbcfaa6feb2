"""Plain words for choices and outcomes, shared by the pages, the panels and the flash messages."""

from __future__ import annotations

from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.i18n import ngettext
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


def outcome_category(result: MotionResult) -> str:
    """The flash style of an outcome: green only for an adopted motion ("Not adopted" is no success)."""
    return "success" if result.adopted else "info"


def close_consequence(motion, voted: int) -> str:
    """What closing an open vote now does, with its figures (for the confirmation page)."""
    needed = (motion.eligible + 1) // 2
    said = ngettext(
        "%(num)d of %(eligible)d members has voted. Nobody can vote after this.",
        "%(num)d of %(eligible)d members have voted. Nobody can vote after this.",
        voted,
        eligible=motion.eligible,
    )
    if voted < needed:
        said += " " + _(
            "So few have voted that the motion will not be adopted: at least %(needed)s must take part.",
            needed=needed,
        )
    return said


def hand_count_consequence(counts: dict, result: MotionResult) -> str:
    """What recording a hand count does, with the typed figures and the outcome (for the confirmation page)."""
    return _(
        "Yes %(yes)s, no %(no)s, abstain %(abstain)s, %(present)s of %(eligible)s voting members present. "
        "%(outcome)s The vote closes with this count: the phone votes are not used, and nobody can vote after this.",
        outcome=outcome_sentence(result),
        eligible=result.eligible,
        **counts,
    )


def cancel_consequence(motion, voted: int) -> str:
    """What stopping an open vote does, with its figures (for the confirmation page)."""
    return ngettext(
        "%(num)d of %(eligible)d members has voted. Their votes are deleted and nothing is decided.",
        "%(num)d of %(eligible)d members have voted. Their votes are deleted and nothing is decided.",
        voted,
        eligible=motion.eligible,
    )
