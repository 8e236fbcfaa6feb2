"""Accounts: login with username and passphrase, activation codes, passphrase change, logout."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from youthcouncil.auth import Role
from youthcouncil.web import nav_item

bp = Blueprint("accounts", __name__)

nav_item("accounts.home", _l("Home"), [Role.member, Role.chair, Role.school_rep, Role.clerk, Role.coordinator], 0)
nav_item("accounts.account_list", _l("Accounts"), [Role.coordinator], 80)

from youthcouncil.accounts import throttle, views  # noqa: E402,F401

bp.record_once(lambda state: throttle.init_app(state.app))
