from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import selectinload

from youthcouncil.accounts import bp, devices, identities, oidc, permissions, services, throttle
from youthcouncil.accounts.forms import (
    ACCOUNT_TYPE_LABELS,
    AccountForm,
    ActivateForm,
    ActivationCodeForm,
    ChangePassphraseForm,
    EmailForm,
    LoginForm,
)
from youthcouncil.accounts.login import LOGGED_OUT_OF_KEY, PROVIDER_KEY, begin_session
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.accounts.permissions import (
    can_change_active,
    can_disconnect_identity,
    can_issue_code_for,
    can_manage_accounts,
    can_set_email_for,
    can_set_own_email,
)
from youthcouncil.accounts.qr import activation_link, qr_svg_data_uri
from youthcouncil.accounts.throttle import Client, TooManyAttempts, limit_of
from youthcouncil.auth import ANY_USER, PUBLIC, Role, access, mark_logged_in, rotate_csrf_token
from youthcouncil.confirm import confirmation_page
from youthcouncil.extensions import db
from youthcouncil.i18n import LANGUAGE_COOKIE
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.links import public_url
from youthcouncil.membership.models import School, Seat
from youthcouncil.membership.services import MembershipError, current_membership, current_term
from youthcouncil.membership.terms import add_membership
from youthcouncil.web import (
    EmptyForm,
    attach_error,
    home_panels_for,
    is_safe_redirect,
    nav_item,
    redirect_back,
    see_other,
)

nav_item("accounts.home", _l("Home"), [Role.member, Role.chair, Role.school_rep, Role.clerk, Role.coordinator], 0)
nav_item("accounts.account_list", _l("Accounts"), [Role.coordinator], 80)
bp.add_app_template_global(permissions, "accounts_permissions")
bp.record_once(lambda state: throttle.init_app(state.app))  # the guessing counters, in RATELIMIT_STORAGE_URI
bp.record_once(lambda state: oidc.init_app(state.app))  # the OpenID Connect providers in OIDC_PROVIDERS

#: After "connect your school account" on the activation page: the id of the code typed (checked and throttled).
ACTIVATION_CODE_ID_KEY = "activation_code_id"


bp.add_app_template_global(oidc.providers, "sso_providers")


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    if current_user.is_authenticated:
        return see_other("accounts.home")
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.log_in(form.username.data, form.passphrase.data, Client.from_request())
        except TooManyAttempts:
            minutes = limit_of("LOGIN_ACCOUNT_LIMIT").get_expiry() // 60
            form.passphrase.errors = [
                _(
                    "Too many tries. Wait %(minutes)d minutes and try again, or log in on a phone or computer "
                    "where you have logged in before.",
                    minutes=minutes,
                )
            ]
            return render_template("accounts/login.html", form=form), 429
        if user is None:
            # Same words whether the username exists or not.
            form.passphrase.errors = [_("The username or the passphrase is wrong. Check both and try again.")]
        else:
            next_page = form.next.data if is_safe_redirect(form.next.data) else None
            response = redirect(next_page, code=303) if next_page else see_other("accounts.home")
            return begin_session(user, response)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access(ANY_USER)
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        provider = oidc.provider_named(session.pop(PROVIDER_KEY, ""))
        services.log_out_everywhere(current_user)
        db.session.commit()
        logout_user()
        rotate_csrf_token()
        flash(_("You are logged out. See you soon!"), "success")
        if provider is not None:
            # Logged in through the provider: offer to log out there too (a shared school computer).
            session[LOGGED_OUT_OF_KEY] = provider.name
            return see_other("accounts.logged_out")
    return see_other("public.index")


@bp.route("/logged-out")
@access(PUBLIC)
def logged_out():
    provider = oidc.provider_named(session.get(LOGGED_OUT_OF_KEY, ""))
    if provider is None or current_user.is_authenticated:
        return see_other("public.index")
    link = oidc.logout_url(provider, public_url("public.index"))
    return render_template("accounts/logged_out.html", provider=provider, link=link)


@bp.route("/activate", methods=["GET", "POST"])
@access(PUBLIC)
def activate():
    if request.method == "GET" and request.args.get("code"):
        # The QR link carries the code: keep it in the session and drop it from the address, so it stays out of
        # server logs and browser history.
        session["activation_code"] = request.args["code"][:40]
        response = see_other("accounts.activate")
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    form = ActivateForm()
    if request.method == "GET" and session.get("activation_code"):
        form.code.data = session["activation_code"]
    if request.method == "POST" and "connect" in request.form and oidc.providers():
        return _activate_with_provider(form)
    if form.validate_on_submit():
        try:
            user = services.activate(form.code.data, form.passphrase.data, Client.from_request())
        except services.AccountError as error:
            attach_error(form, error, "code")
        else:
            if current_user.is_authenticated:
                logout_user()
            session.pop("activation_code", None)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.first_name), "success")
            return begin_session(user, see_other("accounts.home"))
    return _activation_page(form)


def _activation_page(form):
    response = make_response(render_template("accounts/activate.html", form=form))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _activate_with_provider(full_form: ActivateForm):
    """ "Use my school account": the code is checked now (a wrong one counts like any wrong code); the next page
    sends the browser to the provider, and the callback connects the account and spends the code."""
    form = ActivationCodeForm()
    if form.validate_on_submit():
        try:
            found = identities.code_for_connecting(form.code.data, Client.from_request())
        except services.AccountError as error:
            form.code.errors.append(str(error))
        else:
            session.pop("activation_code", None)
            session[ACTIVATION_CODE_ID_KEY] = found.id
            return see_other("accounts.activate_connect")
    full_form.code.errors = list(form.code.errors)
    full_form.form_errors = list(form.form_errors)
    return _activation_page(full_form)


@bp.route("/home")
@access(ANY_USER)
def home():
    user = current_user._get_current_object()  # the panels read it some 150 times: not through the proxy
    term = current_term()
    membership = current_membership(user) if user.account_type == AccountType.member else None
    return render_template(
        "accounts/home.html",
        panels=home_panels_for(user),
        term=term,
        is_deputy=membership is not None and membership.seat == Seat.deputy,
    )


@bp.route("/passphrase", methods=["GET", "POST"])
@access(ANY_USER)
def change_passphrase():
    form = ChangePassphraseForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # the user itself: login_user() must not store the proxy
        try:
            services.change_passphrase(user, form.current.data, form.new.data, Client.from_request())
        except services.AccountError as error:
            attach_error(form, error, "current")
        else:
            # Keep this device logged in with the new session token; other devices are logged out.
            login_user(user)
            mark_logged_in()
            db.session.commit()
            flash(_("Your passphrase is changed."), "success")
            # The new passphrase ended every device cookie of this account; this device stays known.
            return devices.remember(see_other("accounts.home"), user)
    return render_template("accounts/passphrase_change.html", form=form)


@bp.route("/language", methods=["POST"])
@access(PUBLIC)
def set_language():
    form = EmptyForm()
    language = request.form.get("language", "")
    response = redirect_back("public.index")
    if form.validate_on_submit() and language in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["HTTPS"],
            httponly=True,
        )
    return response


# --- The coordinator's account administration -------------------------------------------------------------


def _schools() -> list[School]:
    return list(db.session.scalars(sa.select(School).order_by(School.name)))


@bp.route("/accounts")
@access(Role.coordinator)
def account_list():
    if not can_manage_accounts(current_user):
        abort(403)
    kind = request.args.get("kind")
    account_type = AccountType(kind) if kind in AccountType.__members__ else None
    # "Not activated yet" looks at each account's provider identities: read them all at once.
    query = services.accounts_query(account_type).options(selectinload(User.identities))
    accounts = db.session.scalars(query).all()
    return render_template(
        "accounts/account_list.html", accounts=accounts, kind=account_type, labels=ACCOUNT_TYPE_LABELS
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
@access(Role.coordinator)
def account_create():
    if not can_manage_accounts(current_user):
        abort(403)
    form = AccountForm()
    form.school.choices = [(0, _("— choose —"))] + [(school.id, school.name) for school in _schools()]
    if form.validate_on_submit():
        account_type = AccountType(form.account_type.data)
        school = db.session.get(School, form.school.data) if form.school.data else None
        term = current_term()
        if account_type == AccountType.member and term is None:
            form.account_type.errors.append(_("There is no current term. Create a term before adding members."))
        else:
            try:
                user = services.create_account(
                    account_type=account_type,
                    first_name=form.first_name.data,
                    last_name=form.last_name.data or "",
                    username=form.username.data,
                    school=school,
                    email=form.email.data,
                    created_by=current_user,
                )
            except services.AccountError as error:
                attach_error(form, error, "first_name")
            else:
                try:
                    if account_type == AccountType.member:
                        add_membership(term, user, school)
                except MembershipError as error:
                    db.session.rollback()
                    attach_error(form, error, "school")
                else:
                    issued = services.issue_activation_code(user, issued_by=current_user)
                    db.session.commit()
                    flash(_("The account for %(name)s is created.", name=user.display_name), "success")
                    return _show_code(issued)
    return render_template("accounts/account_form.html", form=form)


@bp.route("/accounts/<int:user_id>")
@access(Role.coordinator)
def account_detail(user_id: int):
    account = db.get_or_404(User, user_id)
    if not can_manage_accounts(current_user):
        abort(403)
    return render_template(
        "accounts/account_detail.html",
        account=account,
        labels=ACCOUNT_TYPE_LABELS,
        form=EmptyForm(),
        provider_named=oidc.provider_named,
    )


def _email_page(account: User, back_url: str):
    """The form for an adult's e-mail address: the owner's own, or the coordinator's for someone else."""
    form = EmailForm()
    if request.method == "GET":
        form.email.data = account.email
    if form.validate_on_submit():
        try:
            services.set_email(account, form.email.data, by=current_user)
        except services.AccountError as error:
            attach_error(form, error, "email")
        else:
            db.session.commit()
            if account.email:
                flash(_("E-mails now go to %(email)s.", email=account.email), "success")
            else:
                flash(_("The e-mail address is removed: no more e-mails."), "success")
            return redirect(back_url, code=303)
    return render_template("accounts/email_form.html", form=form, account=account, back_url=back_url)


@bp.route("/account/email", methods=["GET", "POST"])
@access(Role.clerk, Role.coordinator)
def my_email():
    if not can_set_own_email(current_user):
        abort(403)
    account = current_user._get_current_object()
    return _email_page(account, url_for("accounts.my_account"))


@bp.route("/accounts/<int:user_id>/email", methods=["GET", "POST"])
@access(Role.coordinator)
def account_email(user_id: int):
    account = db.get_or_404(User, user_id)
    if not can_set_email_for(current_user, account):
        abort(403)
    return _email_page(account, url_for("accounts.account_detail", user_id=account.id))


@bp.route("/accounts/<int:user_id>/identities/<provider>/disconnect", methods=["POST"])
@access(Role.coordinator)
def account_disconnect(user_id: int, provider: str):
    account = db.get_or_404(User, user_id)
    if not can_disconnect_identity(current_user, account):
        abort(403)
    form = EmptyForm()
    if form.validate_on_submit() and identities.disconnect(account, provider, by=current_user):
        db.session.commit()
        flash(
            _(
                "%(name)s's account is no longer connected to %(provider)s, and they are logged out everywhere.",
                name=account.display_name,
                provider=getattr(oidc.provider_named(provider), "display_name", provider),
            ),
            "success",
        )
    return see_other("accounts.account_detail", user_id=account.id)


@bp.route("/accounts/<int:user_id>/code", methods=["POST"])
@access(Role.coordinator)
def account_issue_code(user_id: int):
    account = db.get_or_404(User, user_id)
    if not can_issue_code_for(current_user, account):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if account.passphrase_hash is not None:
        # Their passphrase goes for good: one tap by mistake would lock them out until they get the new code.
        page = confirmation_page(
            _("Make a new code for %(name)s?", name=account.display_name),
            _(
                "%(name)s's passphrase stops working now and they are logged out everywhere. They can only log in "
                "again with the new code.",
                name=account.display_name,
            ),
            _("Make a new code"),
            cancel_url=url_for("accounts.account_detail", user_id=account.id),
        )
        if page:
            return page
    issued = services.issue_activation_code(account, issued_by=current_user)
    db.session.commit()
    flash(_("A new code is made. The old passphrase and older codes no longer work."), "success")
    return _show_code(issued)


@bp.route("/accounts/<int:user_id>/active", methods=["POST"])
@access(Role.coordinator)
def account_set_active(user_id: int):
    account = db.get_or_404(User, user_id)
    if not can_change_active(current_user, account):
        abort(403)
    form = EmptyForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        services.set_active(account, active, by=current_user)
        db.session.commit()
        if active:
            flash(_("%(name)s can log in again.", name=account.display_name), "success")
        else:
            flash(_("%(name)s is deactivated and logged out everywhere.", name=account.display_name), "success")
    return see_other("accounts.account_detail", user_id=account.id)


def _show_code(issued: services.IssuedCode):
    """The code is shown once, on the response to the POST that made it; it is never stored in clear."""
    link = activation_link(issued.code)
    response = make_response(
        render_template(
            "accounts/code_issued.html", issued=issued, link=link, qr=qr_svg_data_uri(link), labels=ACCOUNT_TYPE_LABELS
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
