"""Home page panels: a school rep's nomination status, the coordinator's review queue."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.membership import nominations, terms
from youthcouncil.membership.permissions import can_manage_schools, can_nominate
from youthcouncil.web import home_panel


@home_panel(20)
def nomination_panel(user) -> Markup | None:
    if can_manage_schools(user):  # the coordinator reviews every school's nominations
        pending = nominations.pending_nominations()
        if not pending:
            return None
        return Markup(render_template("membership/_home_coordinator.html", pending=pending))  # noqa: S704 (an autoescaped template)
    if can_nominate(user, user.school):
        rows = []
        for term in terms.open_terms():
            listed = nominations.school_nominations(term, user.school)
            counts = {status: 0 for status in ("pending", "approved", "rejected")}
            for nomination in listed:
                if nomination.status.value in counts:
                    counts[nomination.status.value] += 1
            rows.append(
                {
                    "term": term,
                    "counts": counts,
                    "places_left": nominations.places_left(term, user.school),
                    "is_open": nominations.nomination_is_open(term),
                }
            )
        if not rows:
            return None
        return Markup(render_template("membership/_home_rep.html", school=user.school, rows=rows))  # noqa: S704 (an autoescaped template)
    return None
