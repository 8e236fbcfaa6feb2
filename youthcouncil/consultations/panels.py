"""Home-page panels: requests waiting for the council, and the clerk's own requests."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.consultations import services
from youthcouncil.consultations.models import Status
from youthcouncil.consultations.permissions import can_see_council_requests, can_send_request
from youthcouncil.db import utcnow
from youthcouncil.web import home_panel


def _helpers() -> dict:
    return {"status_label": services.status_label, "days_left_of": services.days_left}


@home_panel(30)
def consultations_panel(user) -> Markup | None:
    now = utcnow()
    if can_see_council_requests(user):
        items = services.open_for_council()
        if not items:
            return None
        html = render_template("consultations/_home_panel.html", items=items, now=now, clerk=False, **_helpers())
        return Markup(html)  # noqa: S704 - the output of an autoescaping template
    if can_send_request(user):
        items = [c for c in services.requests_of_clerk(user) if c.status not in (Status.decided, Status.withdrawn)]
        html = render_template("consultations/_home_panel.html", items=items, now=now, clerk=True, **_helpers())
        return Markup(html)  # noqa: S704 - the output of an autoescaping template
    return None
