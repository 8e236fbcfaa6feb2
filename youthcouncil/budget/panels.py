"""Home page panels: "your budget vote is not submitted yet", proposals to check, an outcome to confirm."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.auth import Role, has_role
from youthcouncil.budget.ballot import count_voters, draft_and_voted, eligible_count
from youthcouncil.budget.models import Phase
from youthcouncil.budget.permissions import (
    can_close_year,
    can_confirm_outcome,
    can_manage_budget,
    can_propose_event,
    can_see_turnout,
    can_vote,
)
from youthcouncil.budget.services import current_year, proposals_to_check
from youthcouncil.web import home_panel


@home_panel(31)
def budget_panel(user) -> Markup | None:
    year = current_year()
    if year is None:
        return None
    phase = year.phase()
    context = {"year": year, "phase": phase}
    if can_vote(user, year):
        draft, context["voted"] = draft_and_voted(year, user)  # one look-up for both
        context["draft"] = draft is not None
    elif has_role(user, Role.member) and can_propose_event(user, year):  # the nudge is for members
        context["proposing"] = True
    if can_manage_budget(user):
        to_check = len(proposals_to_check())
        if to_check:
            context["to_check"] = to_check
    if can_close_year(user, year):
        context["to_close"] = True
    if phase == Phase.voting and can_see_turnout(user, year):
        context["turnout"] = (count_voters(year), eligible_count())
    if can_confirm_outcome(user, year):
        context["to_confirm"] = True
    if len(context) == 2:
        return None
    return Markup(render_template("budget/_home_panel.html", **context))  # noqa: S704 (an autoescaped template)
