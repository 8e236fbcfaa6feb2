"""Device cookies: a browser where an account logged in before is known for that account (OWASP's pattern).

The cookie holds up to ``MAX_ENTRIES`` entries ``nonce.issued.tag`` (a shared family tablet may know a few
accounts). The tag is an HMAC over the user's id, the nonce, the time it was issued and the user's current passphrase
hash, so an entry is valid for one account only, cannot be forged or moved to another account, ends after
``DEVICE_COOKIE_LIFETIME``, and ends for every device when the passphrase changes or a new activation code is issued.
The cookie names no one: who it belongs to shows only by checking it against an account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from flask import current_app, request
from werkzeug.wrappers import Response

COOKIE_NAME = "yc_device"
MAX_ENTRIES = 5
_ENTRY_RE = re.compile(r"^([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Entry:
    nonce: str
    issued: int
    tag: str

    def __str__(self) -> str:
        return f"{self.nonce}.{self.issued}.{self.tag}"


def _tag(user, nonce: str, issued: int) -> str:
    secret = hmac.new(current_app.config["SECRET_KEY"].encode(), b"youthcouncil device cookie", hashlib.sha256)
    message = f"{user.id}|{nonce}|{issued}|{user.passphrase_hash}".encode()
    digest = hmac.new(secret.digest(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _entries(cookie: str) -> list[Entry]:
    found = []
    for text in cookie[: 100 * MAX_ENTRIES].split("~")[:MAX_ENTRIES]:
        match = _ENTRY_RE.match(text)
        if match:
            found.append(Entry(match[1], int(match[2]), match[3]))
    return found


def _is_fresh(entry: Entry, now: int) -> bool:
    return 0 <= now - entry.issued <= current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds()


def _belongs_to(entry: Entry, user) -> bool:
    return bool(user.passphrase_hash) and hmac.compare_digest(entry.tag, _tag(user, entry.nonce, entry.issued))


def known_device(cookie: str, user) -> str | None:
    """The nonce that makes this browser a known device of ``user``, or None (also for no user)."""
    if user is None or not cookie:
        return None
    now = int(time.time())
    for entry in _entries(cookie):
        if _is_fresh(entry, now) and _belongs_to(entry, user):
            return entry.nonce
    return None


def renewed(cookie: str, user) -> str:
    """The cookie after ``user`` logged in: a new entry for them first (new nonce), other accounts' entries kept."""
    now = int(time.time())
    nonce = secrets.token_urlsafe(16)
    others = [entry for entry in _entries(cookie) if _is_fresh(entry, now) and not _belongs_to(entry, user)]
    entries = [Entry(nonce, now, _tag(user, nonce, now)), *others][:MAX_ENTRIES]
    return "~".join(str(entry) for entry in entries)


def remember(response: Response, user) -> Response:
    """Make the browser of this request a known device of ``user`` (after they proved their passphrase or code)."""
    value = renewed(request.cookies.get(COOKIE_NAME, ""), user)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=int(current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds()),
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )
    return response
