"""The home-page panel: "you have not voted yet", proposing is open, outcomes of your proposals, jobs to do."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.auth import Role, has_role
from youthcouncil.i18n import gettext as _
from youthcouncil.safety_week import permissions, services
from youthcouncil.safety_week.models import Phase, ProposalStatus
from youthcouncil.web import home_panel


@home_panel(15)
def safety_week_panel(user) -> Markup | None:
    # A vote open now comes first, even when next year's round is already open for proposals (one query for all).
    round_, latest = services.home_rounds()
    if round_ is None and latest is None:
        return None
    context: dict = {"round": round_, "latest": latest}
    if round_ is not None:
        phase = round_.phase()
        context["phase"] = phase
        if has_role(user, Role.member):
            if permissions.can_vote(user, round_):
                context["voted"] = services.has_voted(round_, user)
                context["can_vote"] = True
            elif phase == Phase.voting:
                context["votes_without_me"] = True  # a deputy: the members with a full seat vote
            mine = services.proposals_of(round_, user)
            context["mine"] = mine
            context["outcomes"] = [p for p in mine if p.status in (ProposalStatus.merged, ProposalStatus.declined)]
            context["can_propose"] = permissions.can_propose(user, round_)
        if permissions.can_change_phase(user, round_):  # the coordinator running the round
            context["to_review"] = len(services.proposals_to_review(round_)) if not round_.method_locked() else 0
            context["to_count"] = phase == Phase.counting
            if phase == Phase.voting:
                context["turnout"] = (services.voter_count(round_), services.eligible_count(round_))
    if not has_role(user, Role.member, Role.coordinator):
        return None  # clerks and school reps take no part in the theme round; the results are public
    if round_ is not None:
        context["heading"] = round_heading(round_)
    return Markup(render_template("safety_week/_home_panel.html", **context))  # noqa: S704 - an autoescaping template


def round_heading(round_) -> str:
    """ "Safety week: Be safe", but only the title when it names the week already ("Trygghetsuka 2026")."""
    names = {_("Safety week").lower(), "trygghetsuka"}
    if any(name in round_.title.lower() for name in names):
        return round_.title
    return _("Safety week: %(title)s", title=round_.title)
