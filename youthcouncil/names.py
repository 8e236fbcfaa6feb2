"""The key two names that must differ may not share, computed the same way for every database."""

from __future__ import annotations

import hashlib
import unicodedata


def folded(name: str) -> str:
    """``name`` compared as people read it: compatibility forms made plain (NFKC: "ﬀ" is "ff", a full-width "Ａ"
    is "A"), Unicode case folding ("Å" is "å", "ß" is "ss", "İ" is "i̇"), runs of spaces made one space.

    SQLite's ``lower()`` folds only A–Z while PostgreSQL's follows the database's locale, so the fold is done here,
    in Python, and stored (see ``name_key``).
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(text.split())


def name_key(name: str) -> str:
    """The folded name as a fixed-length key for a unique constraint (folding can make a name many times longer)."""
    return hashlib.sha256(folded(name).encode()).hexdigest()
