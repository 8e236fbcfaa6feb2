from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user

from youthcouncil.auth import ANY_USER, Role, access
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import parse_id
from youthcouncil.notifications import bp, services
from youthcouncil.web import EmptyForm, is_safe_redirect, nav_item, redirect_back

nav_item(
    "notifications.notification_list",
    _l("Messages"),
    [Role.member, Role.chair, Role.school_rep, Role.clerk, Role.coordinator],
    90,
)


@bp.route("/notifications")
@access(ANY_USER)
def notification_list():
    notifications = services.notifications_for(current_user)
    shown = [
        (note, services.render(note.message_id, note.params, fallback=note.text) if note.message_id else note.text)
        for note in notifications
    ]
    return render_template(
        "notifications/notification_list.html",
        shown=shown,
        unread=services.unread_count(current_user),
        form=EmptyForm(),
        is_safe_redirect=is_safe_redirect,
    )


@bp.route("/notifications/read", methods=["POST"])
@access(ANY_USER)
def mark_read():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    raw = request.form.get("notification_id", "")
    notification_id = parse_id(raw)
    if raw and notification_id is None:
        abort(404)  # an id no notification can have; without one, every message is marked read
    changed = services.mark_read(current_user, notification_id)
    db.session.commit()
    if notification_id is None and changed:
        flash(_("All messages are marked as read."), "success")
    return redirect_back("notifications.notification_list")
