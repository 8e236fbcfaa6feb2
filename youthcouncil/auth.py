"""Who the user is and what they may reach: roles, the per-view access rule, session lifetimes."""

from __future__ import annotations

import enum
import functools
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf

from youthcouncil.accounts.models import AccountType
from youthcouncil.db import utcnow
from youthcouncil.extensions import login_manager
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.links import page_of_the_form
from youthcouncil.membership.services import current_membership, user_with_membership


class Role(enum.StrEnum):
    """Roles in the access rules. ``chair`` covers the chair and the deputy of the current term."""

    member = "member"
    chair = "chair"
    school_rep = "school_rep"
    clerk = "clerk"
    coordinator = "coordinator"


ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset({Role.clerk, Role.coordinator})

PUBLIC = "public"
ANY_USER = "any_user"


@dataclass(frozen=True)
class AccessRule:
    """Declared once per view: who may reach it at all. Object-level checks follow in the view."""

    public: bool = False
    #: Any logged-in user, whatever their roles now (e.g. a member of a term that has not started yet).
    any_user: bool = False
    roles: frozenset[Role] = frozenset()

    def allows(self, user) -> bool:
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        return self.any_user or bool(self.roles & roles_of(user))


def access(*roles: Role | str) -> Callable:
    """Declare who may reach a view: ``@access(PUBLIC)``, ``@access(ANY_USER)`` or ``@access(Role.member, ...)``."""
    if roles == (PUBLIC,):
        rule = AccessRule(public=True)
    elif roles == (ANY_USER,):
        rule = AccessRule(any_user=True, roles=ALL_ROLES)
    else:
        if not roles or PUBLIC in roles or ANY_USER in roles:
            raise ValueError("access() takes PUBLIC, ANY_USER, or one or more roles")
        rule = AccessRule(roles=frozenset(Role(role) for role in roles))

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not rule.public:
                user = current_user._get_current_object()
                if not user.is_authenticated:
                    if request.method == "GET":
                        return login_manager.unauthorized()
                    flash(login_manager.login_message, login_manager.login_message_category)
                    return redirect(url_for(login_manager.login_view, next=page_of_the_form()))
                if not rule.allows(user):
                    abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = rule
        return wrapped

    return decorate


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds now; memberships count only in the current term."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is not None:
        return cached

    roles: set[Role] = set()
    if user.account_type == AccountType.member:
        membership = current_membership(user)
        if membership is not None:
            roles.add(Role.member)
            if membership.is_chair_or_deputy:
                roles.add(Role.chair)
    else:
        roles.add(Role(user.account_type.value))
    result = frozenset(roles)
    user._roles_cache = result
    return result


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff(user) -> bool:
    return has_role(user, *STAFF_ROLES)


@login_manager.user_loader
def load_user(session_id: str):
    """Sessions carry "<user id>:<session token>"; a new token ends every older session."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = user_with_membership(int(user_id))
    if user is None or not user.session_token:
        return None
    if not hmac.compare_digest(user.session_token, token):
        return None
    if not user.is_active:
        return None
    user._roles_cache = None  # roles are worked out afresh for every request
    return user


def _timestamp(key: str) -> datetime | None:
    value = session.get(key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


#: A random id set at each login: names one logged-in session (the passphrase-change throttle counts per session).
LOGIN_SESSION_KEY = "login_id"


def mark_logged_in() -> None:
    now = utcnow().isoformat()
    session["login_at"] = now
    session["seen_at"] = now
    session[LOGIN_SESSION_KEY] = secrets.token_urlsafe(16)
    session.permanent = True
    rotate_csrf_token()


def rotate_csrf_token() -> None:
    """A new CSRF token whenever who is logged in changes: a token seen before cannot make a change after.

    The new one is made now and travels in this response's cookie; left for later, two pages loading at once
    (a boosted redirect and a new tab) would each make their own and one of their forms would be refused.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)  # Flask-WTF's copy for the rest of this request
    generate_csrf()


#: How stale "seen at" may get before it is written again: the staff idle timeout is exact to this.
SEEN_AT_PRECISION = timedelta(minutes=1)


def _enforce_session_lifetimes():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = utcnow()
    login_at = _timestamp("login_at")
    seen_at = _timestamp("seen_at")
    expired = login_at is None or now - login_at > current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    if not expired and is_staff(current_user):
        expired = seen_at is None or now - seen_at > current_app.config["STAFF_IDLE_TIMEOUT"]
    if expired:
        logout_user()
        session.pop("login_at", None)
        session.pop("seen_at", None)

        flash(_l("You were logged out because you had been away for a while. Please log in again."), "info")
        return redirect(
            url_for("accounts.login", next=request.full_path if request.method == "GET" else page_of_the_form())
        )
    if seen_at is None or now - seen_at > SEEN_AT_PRECISION:
        session["seen_at"] = now.isoformat()  # not on every request: a changed session is a new cookie to send
    return None


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_enforce_session_lifetimes)

    app.jinja_env.globals.update(Role=Role, has_role=has_role, roles_of=roles_of, page_of_the_form=page_of_the_form)
