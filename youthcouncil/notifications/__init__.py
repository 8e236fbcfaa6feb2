"""Notifications: in-app messages for everyone and an e-mail outbox for adults, sent by ``flask notify``."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from youthcouncil.auth import Role
from youthcouncil.web import nav_item

bp = Blueprint("notifications", __name__)

nav_item(
    "notifications.notification_list",
    _l("Messages"),
    [Role.member, Role.chair, Role.school_rep, Role.clerk, Role.coordinator],
    90,
)


def register_cli(app) -> None:
    from youthcouncil.notifications.cli import notify_command

    app.cli.add_command(notify_command)


from youthcouncil.notifications import panels, views  # noqa: E402,F401
