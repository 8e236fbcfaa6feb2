"""Throttles on guessing: passphrases at login and at passphrase change, and activation codes.

Every attempt first takes a place in each of its counters (atomic in the shared storage, so concurrent requests and
all gunicorn workers count together); a right answer gives the places back, so only wrong guesses count, and a
refused attempt counts nowhere. When any counter is full the attempt gets HTTP 429 without being checked. When the
shared storage cannot be reached nothing is checked either: the answer is 503 ("try again in a minute"), never a
guess let through uncounted.

Login follows OWASP's device-cookie pattern: a browser where an account has logged in before carries a signed
device cookie for it (``devices.py``) and is limited on its own; every other client for that account shares the
account's counter (and a finer one per address), so a stranger's guessing never locks the member out of a known
device. The per-address counter is high enough for a school's shared address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, request, session
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from youthcouncil.accounts import devices
from youthcouncil.auth import LOGIN_SESSION_KEY

log = logging.getLogger(__name__)

#: Flask-WTF keeps the browser's raw CSRF token here; every POST that reached a view carries it.
CSRF_SESSION_KEY = "csrf_token"


class TooManyAttempts(TooManyRequests):
    """A counter is full: the attempt was refused without being checked."""


@dataclass(frozen=True)
class Bucket:
    """One counter: ``setting`` names the limit in the config ("10 per 15 minutes"), ``scope`` what is counted."""

    setting: str
    scope: str
    who: str


@dataclass(frozen=True)
class Client:
    """What the throttles know about the client sending a request."""

    address: str
    #: The browser's CSRF session token; a new one costs a page load.
    browser: str = ""
    login_session: str = ""
    device_cookie: str = ""

    @classmethod
    def from_request(cls) -> Client:
        return cls(
            address=network_of(request.remote_addr or ""),
            browser=str(session.get(CSRF_SESSION_KEY, "")),
            login_session=str(session.get(LOGIN_SESSION_KEY, "")),
            device_cookie=request.cookies.get(devices.COOKIE_NAME, ""),
        )


def network_of(address: str) -> str:
    """The address a client is counted by: IPv4 as it is, IPv6 by its /64 (one household or phone gets a /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _pseudonym(*parts: str) -> str:
    """Counter names carry no usernames or addresses: the shared storage holds only keyed hashes."""
    key = current_app.config["SECRET_KEY"].encode()
    message = "\x1f".join(("throttle", *parts)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _username_key(username: str) -> str:
    # The same folding as find_user, so every spelling that reaches an account counts for it.
    return username.strip().lower()


def login_buckets(username: str, client: Client, device: str | None) -> list[Bucket]:
    """A known device counts on its own; other clients count per (address, account), per account and per address."""
    if device is not None:
        return [Bucket("LOGIN_DEVICE_LIMIT", "login-device", _pseudonym(device))]
    account = _username_key(username)
    return [
        Bucket("LOGIN_ACCOUNT_ADDRESS_LIMIT", "login-account-address", _pseudonym(account, client.address)),
        Bucket("LOGIN_ACCOUNT_LIMIT", "login-account", _pseudonym(account)),
        Bucket("LOGIN_ADDRESS_LIMIT", "login-address", _pseudonym(client.address)),
    ]


def passphrase_change_buckets(user_id: int, client: Client) -> list[Bucket]:
    """Guessing the current passphrase on a session left open: per login session, and a cap per account."""
    return [
        Bucket("LOGIN_DEVICE_LIMIT", "passphrase-session", _pseudonym(str(user_id), client.login_session)),
        Bucket("LOGIN_ACCOUNT_LIMIT", "passphrase-account", _pseudonym(str(user_id))),
    ]


def activation_buckets(client: Client) -> list[Bucket]:
    """Wrong codes: per browser on an address (one pupil), and per address (high enough for a class)."""
    return [
        Bucket("ACTIVATION_CLIENT_LIMIT", "activate-browser", _pseudonym(client.address, client.browser)),
        Bucket("ACTIVATION_ATTEMPT_LIMIT", "activate-address", _pseudonym(client.address)),
    ]


class Attempt:
    """An attempt holding one place in each of its counters; it counts as a wrong guess unless released."""

    def __init__(self, storage: Storage, held: list[tuple[RateLimitItem, Bucket]]):
        self._storage = storage
        self._held = held

    def release(self) -> None:
        """Give the places back: this attempt was not a wrong guess."""
        held, self._held = self._held, []
        _give_back(self._storage, held)


@contextmanager
def attempt(buckets: list[Bucket]) -> Iterator[Attempt]:
    """Take a place in every counter or raise ``TooManyAttempts``; the caller releases when the guess was right."""
    storage = storage_for(current_app)
    limiter = FixedWindowRateLimiter(storage)
    held: list[tuple[RateLimitItem, Bucket]] = []
    try:
        for bucket in buckets:
            item = limit_of(bucket.setting)
            held.append((item, bucket))
            if not limiter.hit(item, "yc", bucket.scope, bucket.who):
                _give_back(storage, held)
                log.warning("Throttle %s is full; the attempt was refused", bucket.scope)
                raise TooManyAttempts()
    except StorageError as error:
        log.error(
            "The throttle's counters cannot be reached (%s); the attempt was not checked",
            type(error.storage_error).__name__,
        )
        raise ServiceUnavailable() from error
    yield Attempt(storage, held)


def limit_of(setting: str) -> RateLimitItem:
    return parse(current_app.config[setting])


def _give_back(storage: Storage, held: list[tuple[RateLimitItem, Bucket]]) -> None:
    try:
        for item, bucket in held:
            key = item.key_for("yc", bucket.scope, bucket.who)
            if storage.incr(key, item.get_expiry(), amount=-1) < 0:
                # The window ended while this attempt was in flight: do not carry a credit into the next one.
                storage.incr(key, item.get_expiry(), amount=1)
    except StorageError:
        # The counters went away after the check: the place stays taken (it counts as a guess), the answer stands.
        log.error("The throttle's counters cannot be reached; an attempt's place was not given back")


def storage_for(app: Flask) -> Storage:
    return app.extensions["yc_throttle"]


def init_app(app: Flask) -> None:
    """Counters live where RATELIMIT_STORAGE_URI says: memory for one process, Redis for several."""
    app.extensions["yc_throttle"] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], wrap_exceptions=True)
