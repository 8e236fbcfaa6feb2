"""How easy a text is to read: LIX, shown to the clerk while they write the summary for 10–17-year-olds."""

from __future__ import annotations

import re
from dataclasses import dataclass

LIX_WARN = 35


_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


_SENTENCE_SPLIT_RE = re.compile(r"[.!?:]+(?:\s+|$)|\n\s*\n")


@dataclass(frozen=True)
class Readability:
    lix: int
    words: int
    sentences: int
    long_words: int

    @property
    def is_hard(self) -> bool:
        return self.lix > LIX_WARN


def lix(text: str) -> Readability | None:
    """LIX = words / sentences + long words (more than 6 letters) * 100 / words. None for an empty text."""
    words = _WORD_RE.findall(text or "")
    if not words:
        return None
    sentences = max(1, sum(1 for part in _SENTENCE_SPLIT_RE.split(text) if _WORD_RE.search(part)))
    # Long words have more than 6 letters: hyphens and apostrophes are not letters.
    long_words = sum(1 for word in words if sum(ch.isalpha() for ch in word) > 6)
    score = len(words) / sentences + long_words * 100 / len(words)
    # Round half up (Python's round() rounds 2.5 to 2).
    return Readability(lix=int(score + 0.5), words=len(words), sentences=sentences, long_words=long_words)
