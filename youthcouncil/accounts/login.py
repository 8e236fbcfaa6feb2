"""Starting a logged-in session: the same for every way in (passphrase, activation code, a provider account)."""

from __future__ import annotations

from flask import session
from flask_login import login_user
from werkzeug.wrappers import Response

from youthcouncil.accounts import devices
from youthcouncil.accounts.models import User
from youthcouncil.auth import mark_logged_in
from youthcouncil.extensions import db

#: The provider this session logged in with (its name), so that logging out can offer to log out there too.
PROVIDER_KEY = "sso_provider"
#: The provider just logged out of here, for the "log out of Feide too" link after logging out.
LOGGED_OUT_OF_KEY = "sso_logged_out_of"


def begin_session(user: User, response: Response, provider: str | None = None) -> Response:
    """Log ``user`` in on this browser: the session carries their session token (so logging out, a new code or
    deactivation ends it), the CSRF token is replaced, the staff idle timeout starts, and a browser that proved the
    account's passphrase, code or provider account becomes a known device of it (see ``devices.py``)."""
    login_user(user)
    mark_logged_in()
    session.pop(LOGGED_OUT_OF_KEY, None)
    if provider:
        session[PROVIDER_KEY] = provider
    else:
        session.pop(PROVIDER_KEY, None)
    db.session.commit()
    if user.passphrase_hash:  # the device cookie is tied to the passphrase: without one there is nothing to guess
        devices.remember(response, user)
    return response
