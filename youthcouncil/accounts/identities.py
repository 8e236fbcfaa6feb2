"""Accounts connected to an account at an OpenID Connect provider: connecting, logging in, disconnecting.

A login never creates an account: a provider account logs in only after it was connected to an existing one, on the
activation page (with the code from the sheet) or from the account page. Only the provider's name and the subject
identifier are stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from youthcouncil.accounts import throttle
from youthcouncil.accounts.models import ActivationCode, ExternalIdentity, User
from youthcouncil.accounts.oidc import STAFF_TYPES, VerifiedLogin
from youthcouncil.accounts.services import AccountError, spend_code, usable_code
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _


def identity_for(provider: str, subject: str) -> ExternalIdentity | None:
    return db.session.scalars(
        sa.select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
    ).first()


def user_for_login(login: VerifiedLogin) -> User | None:
    """The account this provider account logs into; None when it is not connected, the account is deactivated or
    this provider is not for its kind of account (the caller answers the same for each)."""
    identity = identity_for(login.provider.name, login.subject)
    if identity is None:
        return None
    user = identity.user
    if not user.active or not login.provider.allows(user):
        return None
    user.last_login_at = utcnow()
    if identity.takes_email and user.account_type in STAFF_TYPES and login.email:
        user.email = login.email
    return user


def connect(user: User, login: VerifiedLogin) -> ExternalIdentity:
    """Connect ``user`` to the provider account; a provider account belongs to at most one account here."""
    provider = login.provider
    if not provider.allows(user):
        raise AccountError(_("Your kind of account cannot log in with %(provider)s.", provider=provider.display_name))
    existing = identity_for(provider.name, login.subject)
    if existing is not None and existing.user_id == user.id:
        return existing
    if existing is not None:
        raise _taken(login)
    if any(identity.provider == provider.name for identity in user.identities):
        raise AccountError(
            _(
                "Your account is already connected to another %(provider)s account. Ask the youth coordinator to "
                "disconnect it first.",
                provider=provider.display_name,
            )
        )
    identity = ExternalIdentity(provider=provider.name, subject=login.subject)
    try:
        with db.session.begin_nested():
            user.identities.append(identity)
            db.session.flush()
    except IntegrityError:
        raise _taken(login) from None  # connected elsewhere a moment ago
    record(user, "account.provider_connected", user, {"provider": provider.name})
    return identity


def _taken(login: VerifiedLogin) -> AccountError:
    return AccountError(
        _(
            "That %(provider)s account is already connected to another account here. Ask the youth coordinator.",
            provider=login.provider.display_name,
        )
    )


def code_for_connecting(typed_code: str, client: throttle.Client) -> ActivationCode:
    """The first step of activating with a provider account: the code from the sheet, throttled like activation."""
    with throttle.attempt(throttle.activation_buckets(client)) as attempt:
        found = usable_code(typed_code)
        if found is not None:
            attempt.release()
    if found is None:
        raise AccountError(
            _("That code does not work. Check it against your sheet, or ask the coordinator for a new one."), "code"
        )
    return found


def activate_with(login: VerifiedLogin) -> User:
    """The second step: the code (checked again, it may have been used or replaced since) is spent, and the account is
    connected instead of getting a passphrase."""
    found = db.session.get(ActivationCode, login.started_for) if login.started_for else None
    if found is None or not found.is_usable(utcnow()) or not found.user.active:
        raise AccountError(_("That code does not work any more. Ask the coordinator for a new one."), "code")
    user = found.user
    connect(user, login)
    now = utcnow()
    spend_code(found, now)
    user.end_all_sessions()
    user.last_login_at = now
    db.session.flush()
    record(user, "account.activated", user, {"provider": login.provider.name})
    return user


def disconnect(user: User, provider: str, by: User | None) -> bool:
    """Disconnect the provider account; every session of ``user`` ends (one may have come through it)."""
    identity = next((identity for identity in user.identities if identity.provider == provider), None)
    if identity is None:
        return False
    user.identities.remove(identity)
    user.end_all_sessions()
    db.session.flush()
    record(by, "account.provider_disconnected", user, {"provider": provider})
    return True


def set_takes_email(user: User, provider: str, takes_email: bool) -> None:
    """Staff choose whether their e-mail address comes from the provider at each login. Never for children."""
    if user.account_type not in STAFF_TYPES:
        raise AccountError(_("Only adults (clerks and coordinators) can have an e-mail address here."))
    identity = next((identity for identity in user.identities if identity.provider == provider), None)
    if identity is None:
        raise AccountError(_("Your account is not connected there."))
    identity.takes_email = takes_email
    record(user, "account.provider_email", user, {"provider": provider, "takes_email": takes_email})
