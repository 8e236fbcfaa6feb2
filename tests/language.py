"""Is a page English? ``norwegian_in(html)`` lists what a reader would see on it that is bokmål.

One check for every domain's "English chosen, no Norwegian shown" test. It looks at the text people read (tags,
scripts and hidden fields removed; alt, aria-label, title, placeholder, hx-confirm and data-* values kept) for:
the letters æ, ø, å and the quotation marks « »; small bokmål words, which a template string written without
``_()`` would show; and every text of our bokmål catalogues that differs from its English msgid, which catches a
string translated in the wrong catalogue or rendered in the wrong language. Test data in bokmål (a school's name)
is passed as ``data`` and not counted.
"""

from __future__ import annotations

import html as entities
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "youthcouncil"
LETTERS = re.compile("[æøåÆØÅ«»]")  # and bokmål's quotation marks
WORDS = re.compile(
    r"\b(og|ikke|eller|til|fra|av|på|som|har|kan|du|dere|din|ditt|deg|vi|er|med|hvis|ingen|lagre|tilbake|skriv|"
    r"velg|avbryt|slett|endre|tidligere|venter)\b",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
STRIP = " .,:;!?()«»“”–-…\u00a0"


@cache
def bokmal_texts() -> frozenset[str]:
    """Every piece (between placeholders, 5 characters or more) of a bokmål translation, in any of our catalogues,
    that is not also part of its English msgid."""
    pieces = set()
    for path in PACKAGE.glob("**/translations/nb/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            msgids = message.id if isinstance(message.id, tuple) else (message.id,)
            msgstrs = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgstr in msgstrs:
                for piece in PLACEHOLDER.split(msgstr or ""):
                    piece = piece.strip(STRIP)
                    if len(piece) >= 5 and not any(piece in msgid for msgid in msgids):
                        pieces.add(piece)
    return frozenset(pieces)


def visible_text(html: str) -> str:
    """The text of a page that a reader sees or hears, as one line."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<input[^>]*type="hidden"[^>]*>', " ", html)
    # The language switch offers "Norsk" in Norwegian on purpose.
    html = re.sub(r'<button[^>]*lang="nb"[^>]*>.*?</button>', " ", html, flags=re.S)
    attributes = re.findall(r'\s(?:alt|aria-label|title|placeholder|hx-confirm|data-[\w-]+)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html) + " " + " ".join(attributes)
    return re.sub(r"\s+", " ", entities.unescape(text).replace("\u00a0", " "))


def norwegian_in(html: str, *, data: Iterable[str] = ()) -> list[str]:
    """What on the page is bokmål (empty for an English page): letters, words and catalogue texts found."""
    text = visible_text(html)
    for value in data:
        text = text.replace(value, " ")
    found = {match.group(0) for pattern in (LETTERS, WORDS) for match in pattern.finditer(text)}
    for piece in bokmal_texts():
        normal = re.sub(r"\s+", " ", piece.replace("\u00a0", " "))
        if normal in text and re.search(rf"(?<!\w){re.escape(normal)}(?!\w)", text):
            found.add(normal)
    return sorted(found)
