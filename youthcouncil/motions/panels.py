"""The home-page panel: "The council is voting: …" for members who have not voted yet."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.motions.services import open_motions_for_user
from youthcouncil.web import home_panel


@home_panel(21)
def open_motions_panel(user) -> Markup | None:
    motions = open_motions_for_user(user)
    if not motions:
        return None
    return Markup(render_template("motions/_home_panel.html", motions=motions))  # noqa: S704 - the output of an autoescaping template
