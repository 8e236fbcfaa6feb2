"""The home-page panel: how many new messages the user has."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.notifications.services import unread_count
from youthcouncil.web import home_panel


@home_panel(90)
def unread_panel(user) -> Markup | None:
    unread = unread_count(user)
    if not unread:
        return None
    return Markup(render_template("notifications/_home_panel.html", unread=unread))  # noqa: S704 - the output of an autoescaping template
