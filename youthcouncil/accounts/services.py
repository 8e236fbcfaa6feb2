"""Every write about accounts: creating them, activation codes, passphrases, logging in and out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from youthcouncil.accounts import codes, devices, passphrases, throttle
from youthcouncil.accounts.models import AccountType, ActivationCode, User
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l


class AccountError(DomainError):
    """An account rule said no (see DomainError)."""


USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", "ö": "o", "ä": "a"})


def suggest_username(first_name: str, last_name: str) -> str:
    """``Ingrid Haugen`` -> ``ingrid.h``, then ``ingrid.h2``… until free."""
    first = re.sub(r"[^a-z0-9]", "", first_name.lower().translate(_FOLD)) or "user"
    last = re.sub(r"[^a-z0-9]", "", last_name.lower().translate(_FOLD))
    base = f"{first}.{last[:1]}" if last else first
    candidate, n = base[:36], 1
    while find_user(candidate) is not None:
        n += 1
        candidate = f"{base[:36]}{n}"
    return candidate


def find_user(username: str) -> User | None:
    username = username.strip().lower()
    if not username or len(username) > 40 or "\x00" in username:
        return None  # no such username can exist (PostgreSQL would refuse a NUL byte in the query)
    return db.session.scalars(sa.select(User).where(User.username == username)).first()


def create_account(
    *,
    account_type: AccountType,
    first_name: str,
    last_name: str,
    username: str | None = None,
    school=None,
    email: str | None = None,
    created_by: User | None = None,
) -> User:
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name:
        raise AccountError(_l("Write the first name."), "first_name")
    if account_type == AccountType.school_rep and school is None:
        raise AccountError(_l("Choose the school this rep represents."), "school")
    if email and account_type not in (AccountType.clerk, AccountType.coordinator):
        raise AccountError(_l("Only adults (clerks and coordinators) can have an e-mail address here."), "email")
    username = (username or "").strip().lower() or suggest_username(first_name, last_name)
    if not USERNAME_RE.match(username):
        raise AccountError(
            _l("Use 2–40 small letters, digits, dots, dashes or underscores, starting with a letter or digit."),
            "username",
        )
    if find_user(username) is not None:
        raise AccountError(_l("That username is taken. Try another one."), "username")
    user = User(
        username=username,
        account_type=account_type,
        first_name=first_name,
        last_name=last_name,
        school=school if account_type == AccountType.school_rep else None,
        email=(email or None),
    )
    db.session.add(user)
    db.session.flush()
    record(created_by, "account.created", user, {"account_type": account_type.value})
    return user


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def set_email(user: User, email: str | None, by: User | None = None) -> None:
    """Set (or, empty, remove) an adult's e-mail address for reminders; children never have one."""
    email = (email or "").strip() or None
    if email is not None and not user.may_have_email:
        raise AccountError(_l("Only adults (clerks and coordinators) can have an e-mail address here."), "email")
    if email is not None and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise AccountError(_l("That does not look like an e-mail address."), "email")
    if email == user.email:
        return
    user.email = email
    db.session.flush()
    record(by, "account.email_changed", user, {"removed": email is None})


@dataclass(frozen=True)
class IssuedCode:
    user: User
    code: str
    expires_at: datetime


def issue_activation_code(user: User, issued_by: User | None = None) -> IssuedCode:
    """A fresh one-time code; the passphrase and every older code stop working, and every session ends."""
    now = utcnow()
    for old in user.activation_codes:
        if old.used_at is None and old.revoked_at is None:
            old.revoked_at = now
    code = codes.new_code()
    expires_at = now + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"])
    user.activation_codes.append(
        ActivationCode(
            code_hash=codes.code_hash(code),
            created_at=now,
            expires_at=expires_at,
            created_by_id=getattr(issued_by, "id", None),
        )
    )
    user.passphrase_hash = None
    user.end_all_sessions()
    db.session.flush()
    record(issued_by, "account.code_issued", user)
    return IssuedCode(user=user, code=code, expires_at=expires_at)


def usable_code(typed: str) -> ActivationCode | None:
    if not codes.looks_like_a_code(typed):
        return None
    found = db.session.scalars(
        sa.select(ActivationCode).where(ActivationCode.code_hash == codes.code_hash(typed))
    ).first()
    if found is None or not found.is_usable(utcnow()) or not found.user.active:
        return None
    return found


def activate(typed_code: str, new_passphrase: str, client: throttle.Client | None = None) -> User:
    """Use a one-time code to set the passphrase. From the web (``client``), wrong codes are throttled; a right code
    with a weak passphrase is not a wrong guess."""
    if client is None:
        return _activate(typed_code, new_passphrase)
    with throttle.attempt(throttle.activation_buckets(client)) as attempt:
        try:
            user = _activate(typed_code, new_passphrase)
        except AccountError as error:
            if error.field != "code":
                attempt.release()
            raise
        attempt.release()
    return user


def _activate(typed_code: str, new_passphrase: str) -> User:
    """The code is spent even if two tabs race for it."""
    found = usable_code(typed_code)
    if found is None:
        raise AccountError(
            _l("That code does not work. Check it against your sheet, or ask the coordinator for a new one."), "code"
        )
    problem = passphrases.problem_with(new_passphrase, found.user.username)
    if problem:
        raise AccountError(problem, "passphrase")
    now = utcnow()
    spend_code(found, now)
    user = found.user
    user.passphrase_hash = passphrases.hash_passphrase(new_passphrase)
    user.end_all_sessions()
    user.last_login_at = now
    db.session.flush()
    record(user, "account.activated", user)
    return user


def spend_code(found: ActivationCode, now: datetime) -> None:
    """Mark the code used, once: of two tabs racing with the same code, the second is refused."""
    spent = db.session.execute(
        sa.update(ActivationCode)
        .where(ActivationCode.id == found.id, ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise AccountError(_l("That code has just been used. Ask the coordinator for a new one."), "code")


def log_in(username: str, passphrase: str, client: throttle.Client) -> User | None:
    """``authenticate`` behind the guessing throttle; raises ``throttle.TooManyAttempts`` (HTTP 429)."""
    device = devices.known_device(client.device_cookie, find_user(username))
    with throttle.attempt(throttle.login_buckets(username, client, device)) as attempt:
        user = authenticate(username, passphrase)
        if user is not None:
            attempt.release()
    return user


def authenticate(username: str, passphrase: str) -> User | None:
    """The user when the passphrase is right and the account active; None otherwise (same time either way)."""
    user = find_user(username)
    if user is None:
        passphrases.verify_passphrase(None, passphrase)
        return None
    if not passphrases.verify_passphrase(user.passphrase_hash, passphrase) or not user.active:
        return None
    if passphrases.needs_rehash(user.passphrase_hash):
        user.passphrase_hash = passphrases.hash_passphrase(passphrase)
    user.last_login_at = utcnow()
    return user


def change_passphrase(user: User, current: str, new: str, client: throttle.Client) -> None:
    """Guessing the current passphrase on a phone left logged in is throttled like logging in."""
    with throttle.attempt(throttle.passphrase_change_buckets(user.id, client)) as attempt:
        right = passphrases.verify_passphrase(user.passphrase_hash, current)
        if right:
            attempt.release()
    if not right:
        raise AccountError(_l("That is not your current passphrase."), "current")
    problem = passphrases.problem_with(new, user.username)
    if problem:
        raise AccountError(problem, "new")
    user.passphrase_hash = passphrases.hash_passphrase(new)
    # Other devices that were logged in must log in again with the new passphrase.
    user.end_all_sessions()
    record(user, "account.passphrase_changed", user)


def log_out_everywhere(user: User) -> None:
    user.end_all_sessions()


def set_active(user: User, active: bool, by: User | None) -> None:
    user.active = active
    if not active:
        user.end_all_sessions()
    record(by, "account.activated_flag" if active else "account.deactivated", user)


def set_passphrase_for_demo(user: User, passphrase: str) -> None:
    """Only for the demo data: real accounts set their own passphrase with an activation code."""
    user.passphrase_hash = passphrases.hash_passphrase(passphrase)


def accounts_query(account_type: AccountType | None = None) -> sa.Select:
    stmt = sa.select(User).order_by(User.account_type, User.first_name, User.last_name)
    if account_type is not None:
        stmt = stmt.where(User.account_type == account_type)
    return stmt
