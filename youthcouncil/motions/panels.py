"""The home-page panel: "The council is voting: …" for members who have not voted yet."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from youthcouncil.motions.services import load_subjects, open_motions_for_user
from youthcouncil.web import home_panel


@home_panel(21)
def open_motions_panel(user) -> Markup | None:
    motions = open_motions_for_user(user)
    if not motions:
        return None
    # subjects: loaded at once for the titles, and kept while the page renders.
    page = render_template("motions/_home_panel.html", motions=motions, subjects=load_subjects(motions))
    return Markup(page)  # noqa: S704 - the output of an autoescaping template
