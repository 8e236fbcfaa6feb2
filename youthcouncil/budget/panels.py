"""Home page panels: "your budget vote is not submitted yet", proposals to check, an outcome to confirm."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.auth import Role, has_role
from youthcouncil.budget.ballot import count_voters, draft_and_voted, eligible_count, is_eligible_voter
from youthcouncil.budget.models import Phase
from youthcouncil.budget.services import current_year, proposals_to_check
from youthcouncil.web import home_panel


@home_panel(31)
def budget_panel(user) -> Markup | None:
    year = current_year()
    if year is None:
        return None
    phase = year.phase()
    context = {"year": year, "phase": phase}
    if has_role(user, Role.member) and phase == Phase.voting and is_eligible_voter(user):
        draft, context["voted"] = draft_and_voted(year, user)
        context["draft"] = draft is not None
    elif has_role(user, Role.member) and phase == Phase.proposing:
        context["proposing"] = True
    if has_role(user, Role.coordinator):
        to_check = len(proposals_to_check())
        if to_check:
            context["to_check"] = to_check
        if phase == Phase.voting_ended:
            context["to_close"] = True
        if phase == Phase.voting:
            context["turnout"] = (count_voters(year), eligible_count())
    if has_role(user, Role.chair) and phase == Phase.counted:
        context["to_confirm"] = True
    if len(context) == 2:
        return None
    return Markup(render_template("budget/_home_panel.html", **context))  # noqa: S704 (an autoescaped template)
