"""Passphrases: argon2id hashing and the few rules we apply (length, not too common)."""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from youthcouncil.i18n import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 200

#: argon2id with the OWASP-recommended minimum: 19 MiB memory, 2 iterations, 1 lane.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

#: Common Norwegian choices that English lists miss.
NORWEGIAN_COMMON = (
    "passord",
    "passord1",
    "passord123",
    "passord1234",
    "hemmelig",
    "hemmelig1",
    "qwertyuiop",
    "sommer2024",
    "sommer2025",
    "sommer2026",
    "vinter2025",
    "vinter2026",
    "norge123",
    "norge1234",
    "rosenborg",
    "vålerenga",
    "brann123",
    "fotball",
    "fotball1",
    "fotball123",
    "jegerbest",
    "ungdomsrad",
    "ungdomsråd",
    "kommunen",
    "trondheim",
    "stavanger",
    "kristiansand",
    "drammen",
    "tromsø123",
    "bergen123",
    "oslo1234",
    "abcd1234",
)


@functools.cache
def common_passphrases() -> frozenset[str]:
    """About 30,000 of the most used passwords (zxcvbn's list) plus Norwegian favourites, lowercased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = {word.lower() for word in FREQUENCY_LISTS["passwords"] if len(word) >= MIN_LENGTH}
    words.update(NORWEGIAN_COMMON)
    return frozenset(words)


def problem_with(passphrase: str, username: str | None = None):
    """Why a new passphrase is refused (a lazy string, shown in the reader's language); None when it is fine."""
    if len(passphrase) < MIN_LENGTH:
        return _l("Use at least %(n)d characters. A few words in a row is easy to remember.", n=MIN_LENGTH)
    if len(passphrase) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = passphrase.lower()
    if lowered in common_passphrases():
        return _l("That one is among the most used passwords. Choose something others would not guess.")
    if username and username.lower() in lowered:
        return _l("Do not use your username in your passphrase.")
    return None


def hash_passphrase(passphrase: str) -> str:
    return hasher.hash(passphrase)


def verify_passphrase(stored_hash: str | None, passphrase: str) -> bool:
    if not stored_hash:
        # Spend the same time as a real check, so timing does not tell whether the account exists.
        _verify_dummy(passphrase)
        return False
    try:
        return hasher.verify(stored_hash, passphrase)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return hasher.hash("not-a-real-passphrase-just-for-timing")


def _verify_dummy(passphrase: str) -> None:
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash(), passphrase)


def needs_rehash(stored_hash: str) -> bool:
    return hasher.check_needs_rehash(stored_hash)
