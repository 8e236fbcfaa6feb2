"""One-time activation codes: random, unambiguous to read aloud or type, stored only as a hash."""

from __future__ import annotations

import hashlib
import math
import secrets

#: No 0/O, 1/I/L, or U/V look-alikes: what a 10-year-old copies from paper must be what they typed.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 12
GROUP = 4

BITS = LENGTH * math.log2(len(ALPHABET))  # about 58 bits


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str:
    """Accept lower case, spaces and missing dashes: ``abcd efgh-jkmn`` is ``ABCD-EFGH-JKMN``."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + GROUP] for i in range(0, len(cleaned), GROUP))


def looks_like_a_code(typed: str) -> bool:
    cleaned = normalise(typed).replace("-", "")
    return len(cleaned) == LENGTH and all(ch in ALPHABET for ch in cleaned)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()
