"""Pages for logging in with a provider account (OpenID Connect): start, callback, connect, the account page.

Every way to the provider is a plain link (no script, and the strict CSP's ``form-action 'self'`` stays as it is);
none of them changes a row: only the callback, after the provider's answer checked out, connects or logs in.
"""

from __future__ import annotations

import logging

from flask import abort, flash, render_template, request, session
from flask_login import current_user, logout_user

from youthcouncil.accounts import bp, identities, oidc
from youthcouncil.accounts.login import begin_session
from youthcouncil.accounts.models import ActivationCode
from youthcouncil.accounts.oidc import Purpose, SsoError
from youthcouncil.accounts.permissions import can_connect_identity, can_take_email_from_provider
from youthcouncil.accounts.services import AccountError
from youthcouncil.accounts.views import ACTIVATION_CODE_ID_KEY
from youthcouncil.auth import ANY_USER, PUBLIC, access
from youthcouncil.db import utcnow
from youthcouncil.db_setup import writes_on_get
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _
from youthcouncil.links import public_url
from youthcouncil.web import EmptyForm, see_other

log = logging.getLogger(__name__)


def _provider_or_404(name: str) -> oidc.Provider:
    provider = oidc.provider_named(name)
    if provider is None:
        abort(404)
    return provider


def _start(provider: oidc.Provider, purpose: Purpose, started_for: int | None = None):
    redirect_uri = public_url("accounts.sso_callback", provider=provider.name)
    try:
        return oidc.authorization_redirect(provider, purpose, redirect_uri, started_for)
    except SsoError as error:
        return _failed(provider, error)


def _failed(provider: oidc.Provider, error: SsoError):
    log.warning("Login with %s refused: %s", provider.name, error.reason)
    status = 502 if error.unreachable else 400
    return render_template("accounts/sso_failed.html", provider=provider, unreachable=error.unreachable), status


@bp.route("/login/<provider>")
@access(PUBLIC)
def sso_login(provider: str):
    found = _provider_or_404(provider)
    if current_user.is_authenticated:
        return see_other("accounts.home")
    return _start(found, Purpose.login)


def _pending_activation_code() -> ActivationCode | None:
    code_id = session.get(ACTIVATION_CODE_ID_KEY)
    found = db.session.get(ActivationCode, code_id) if isinstance(code_id, int) else None
    if found is None or not found.is_usable(utcnow()) or not found.user.active:
        return None
    return found


@bp.route("/activate/connect")
@access(PUBLIC)
def activate_connect():
    """The second step of activating with a provider account: the code was right, now the provider."""
    found = _pending_activation_code()
    if found is None:
        return see_other("accounts.activate")
    return render_template(
        "accounts/activate_connect.html",
        account=found.user,
        providers=oidc.providers_for(found.user.account_type),
    )


@bp.route("/activate/connect/<provider>")
@access(PUBLIC)
def sso_activate(provider: str):
    found_provider = _provider_or_404(provider)
    found = _pending_activation_code()
    if found is None or not found_provider.allows(found.user):
        return see_other("accounts.activate")
    return _start(found_provider, Purpose.activate, started_for=found.id)


@bp.route("/account")
@access(ANY_USER)
def my_account():
    connected = {identity.provider: identity for identity in current_user.identities}
    return render_template(
        "accounts/my_account.html",
        providers=[provider for provider in oidc.providers() if can_connect_identity(current_user, provider)],
        connected=connected,
        form=EmptyForm(),
    )


@bp.route("/account/connect/<provider>")
@access(ANY_USER)
def sso_connect(provider: str):
    found = _provider_or_404(provider)
    if not can_connect_identity(current_user, found):
        abort(403)
    return _start(found, Purpose.connect, started_for=current_user.id)


@bp.route("/account/connect/<provider>/email", methods=["POST"])
@access(ANY_USER)
def sso_take_email(provider: str):
    found = _provider_or_404(provider)
    if not can_take_email_from_provider(current_user):
        abort(403)
    form = EmptyForm()
    if form.validate_on_submit():
        takes_email = request.form.get("takes_email") == "1"
        try:
            identities.set_takes_email(current_user, found.name, takes_email)
        except AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            if takes_email:
                flash(
                    _(
                        "Your e-mail address will come from %(provider)s the next time you log in with it.",
                        provider=found.display_name,
                    ),
                    "success",
                )
            else:
                flash(
                    _("Your e-mail address no longer comes from %(provider)s.", provider=found.display_name), "success"
                )
    return see_other("accounts.my_account")


@bp.route("/sso/<provider>/callback")
@writes_on_get  # the provider sends the browser back with a GET: connecting, activating and logging in write
@access(PUBLIC)
def sso_callback(provider: str):
    found = _provider_or_404(provider)
    try:
        login = oidc.finish(found)
    except SsoError as error:
        return _failed(found, error)
    if login.purpose == Purpose.connect:
        return _connected(login)
    if login.purpose == Purpose.activate:
        return _activated(login)
    user = identities.user_for_login(login)
    if user is None:
        # The same page whether the provider account is unknown here, the account is deactivated or not allowed:
        # nothing is stored, and nothing tells which accounts exist.
        return render_template("accounts/sso_unknown.html", provider=found), 403
    if current_user.is_authenticated:
        logout_user()
    return begin_session(user, see_other("accounts.home"), provider=found.name)


def _connected(login: oidc.VerifiedLogin):
    if not current_user.is_authenticated or current_user.id != login.started_for:
        # Logged out (or in as someone else) while at the provider: connect nothing.
        return render_template("accounts/sso_failed.html", provider=login.provider, unreachable=False), 400
    try:
        identities.connect(current_user, login)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("accounts.my_account")
    db.session.commit()
    flash(
        _(
            "Your account is connected to %(provider)s. Next time, tap “Log in with %(provider)s”.",
            provider=login.provider.display_name,
        ),
        "success",
    )
    return see_other("accounts.my_account")


def _activated(login: oidc.VerifiedLogin):
    try:
        user = identities.activate_with(login)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("accounts.activate")
    session.pop(ACTIVATION_CODE_ID_KEY, None)
    if current_user.is_authenticated:
        logout_user()
    flash(_("Welcome, %(name)s! Your account is ready.", name=user.first_name), "success")
    return begin_session(user, see_other("accounts.home"), provider=login.provider.name)
