"""Event budget: a budget year, event proposals, a secret participatory-budgeting vote, grants and the ledger."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from youthcouncil.auth import PUBLIC, Role
from youthcouncil.web import nav_item

bp = Blueprint("budget", __name__)

nav_item("budget.index", _l("Budget"), [Role.member, Role.chair, Role.coordinator], 40)
nav_item("budget.spending", _l("Spending"), PUBLIC, 75)

from youthcouncil.budget import panels, views  # noqa: E402,F401
from youthcouncil.budget.hooks import connect_hooks  # noqa: E402

connect_hooks()
