"""Consultations: a clerk's request (høring), the council's discussion and draft, the adoption vote, the response,
and what the city decided."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from youthcouncil.auth import PUBLIC, Role
from youthcouncil.web import nav_item

bp = Blueprint("consultations", __name__)

nav_item("consultations.consultation_list", _l("Consultations"), [Role.member, Role.clerk, Role.coordinator], 30)
nav_item("consultations.archive", _l("Responses"), PUBLIC, 60)

from youthcouncil.consultations import hooks, panels, views  # noqa: E402,F401
