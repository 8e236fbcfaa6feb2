"""Checks pybabel cannot make on our catalogues: one per domain (youthcouncil/<domain>/translations) plus the core one.

English is the source language (the msgids); bokmål (nb) is the default UI language and must be complete. pybabel
does the rest: `make messages` extracts and updates every catalogue, `make translations` compiles them.

    python scripts/i18n.py check [DOMAIN]    # fail when a message in the code is missing, fuzzy or untranslated in
                                             # nb, or when one English text has two bokmål texts across catalogues
    python scripts/i18n.py fill DOMAIN < nb.json   # set nb translations from a JSON object {msgid: msgstr}
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, check_and_call_extract_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "youthcouncil"
TEMPLATES = ROOT / "templates"
LOCALES = ("nb",)
#: The width `make messages` gives pybabel, so that fill rewrites a catalogue the way pybabel would.
PO_WIDTH = 110


@dataclass(frozen=True)
class Source:
    name: str
    folder: Path
    files: tuple[Path, ...]


def sources() -> list[Source]:
    """Each catalogue and the files it is extracted from (the same split as the Makefile's `messages`)."""
    core_files = sorted(PACKAGE.glob("*.py")) + sorted(TEMPLATES.glob("*.html"))
    for folder in ("_macros", "errors"):
        core_files += sorted((TEMPLATES / folder).rglob("*.html"))
    found = [Source("core", PACKAGE / "translations", tuple(core_files))]
    for domain in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "voting"):
        files = sorted(domain.rglob("*.py")) + sorted((TEMPLATES / domain.name).rglob("*.html"))
        found.append(Source(domain.name, domain / "translations", tuple(files)))
    return found


def extract(source: Source) -> Catalog:
    """What pybabel extract finds in the source's files, with the methods, options and keywords of babel.cfg."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="youthcouncil", charset="utf-8")
    for path in source.files:
        for filename, lineno, message, comments, context in check_and_call_extract_file(
            path, method_map, options_map, None, DEFAULT_KEYWORDS, (), True, dirpath=ROOT
        ):
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(source: Source, locale: str) -> Path:
    return source.folder / locale / "LC_MESSAGES" / "messages.po"


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _label(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def problems(only: str | None = None) -> list[str]:
    """Every message in the code that nb lacks, has fuzzy, or leaves untranslated."""
    found = []
    for source in sources():
        if only and source.name != only:
            continue
        template = extract(source)
        if not len(template):
            continue
        for locale in LOCALES:
            path = po_path(source, locale)
            if not path.exists():
                found.append(f"{source.name}: no {locale} catalogue at {path.relative_to(ROOT)}")
                continue
            catalog = _read(path, locale)
            for message in template:
                if not message.id:
                    continue
                translated = catalog.get(message.id, context=message.context)
                where = message.locations[0] if message.locations else ("?", 0)
                if translated is None:
                    found.append(f"{source.name}/{locale}: missing {_label(message)!r} ({where[0]}:{where[1]})")
                elif translated.fuzzy or not all(
                    translated.string if isinstance(translated.string, tuple) else [translated.string]
                ):
                    found.append(f"{source.name}/{locale}: untranslated {_label(message)!r} ({where[0]}:{where[1]})")
    return found


def clashes() -> list[str]:
    """English texts with two bokmål texts in different catalogues: Flask-Babel merges them, so one would be lost."""
    found = []
    for locale in LOCALES:
        texts: dict[tuple, dict[str, list[str]]] = {}
        for source in sources():
            path = po_path(source, locale)
            if not path.exists():
                continue
            for message in _read(path, locale):
                if message.id:
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    texts.setdefault((_label(message), message.context), {}).setdefault(text, []).append(source.name)
        for (label, _context), by_text in texts.items():
            if len(by_text) > 1:
                found.append(f"{locale}: {label!r} has {len(by_text)} translations: {by_text}")
    return found


def fill(domain: str, translations: dict[str, str]) -> int:
    """Set nb strings of one catalogue from a mapping; returns how many entries still lack a translation."""
    source = next(s for s in sources() if s.name == domain)
    path = po_path(source, "nb")
    catalog = _read(path, "nb")
    for message in catalog:
        key = _label(message)
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, sort_output=False, omit_header=False)
    path.write_bytes(buffer.getvalue())
    return sum(1 for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string)))


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "fill" and len(argv) > 2:
        left = fill(argv[2], json.load(sys.stdin))
        print(f"{argv[2]}: {left} messages still untranslated")
    elif command == "check":
        issues = problems(argv[2] if len(argv) > 2 else None) + clashes()
        for line in issues:
            print(line)
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
