"""Translation catalogues: one per domain (youthcouncil/<domain>/translations) plus the core one.

English is the source language (the msgids); bokmål (nb) is the default UI language and must be complete.

    python scripts/i18n.py extract   # write each catalogue's messages.pot
    python scripts/i18n.py update [DOMAIN]   # extract, then create/update nb/LC_MESSAGES/messages.po
    python scripts/i18n.py compile           # compile every .po to .mo (done by make run and make test)
    python scripts/i18n.py check [DOMAIN]    # fail when a message is missing or untranslated in nb
    python scripts/i18n.py fill DOMAIN < nb.json   # set nb translations from a JSON object {msgid: msgstr}
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "youthcouncil"
TEMPLATES = ROOT / "templates"
LOCALES = ("nb",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}


@dataclass(frozen=True)
class Source:
    name: str
    folder: Path
    files: tuple[Path, ...]


def sources() -> list[Source]:
    core_files = sorted(PACKAGE.glob("*.py")) + sorted(TEMPLATES.glob("*.html"))
    for folder in ("_macros", "errors"):
        core_files += sorted((TEMPLATES / folder).rglob("*.html"))
    found = [Source("core", PACKAGE / "translations", tuple(core_files))]
    for domain in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "voting"):
        files = sorted(domain.rglob("*.py")) + sorted((TEMPLATES / domain.name).rglob("*.html"))
        found.append(Source(domain.name, domain / "translations", tuple(files)))
    return found


def extract(source: Source) -> Catalog:
    catalog = Catalog(project="youthcouncil", charset="utf-8")
    for path in source.files:
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = {} if method == "python" else JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True
        ):
            catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)], auto_comments=comments, context=context)
    return catalog


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=110, sort_output=False, omit_header=False)
    path.write_bytes(buffer.getvalue())


def po_path(source: Source, locale: str) -> Path:
    return source.folder / locale / "LC_MESSAGES" / "messages.po"


def update(only: str | None = None) -> None:
    for source in sources():
        if only and source.name != only:
            continue
        template = extract(source)
        if not len(template):
            continue
        _write(source.folder / "messages.pot", template)
        for locale in LOCALES:
            path = po_path(source, locale)
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=locale)
                catalog.update(template, no_fuzzy_matching=True)
            else:
                catalog = Catalog(locale=locale, project="youthcouncil", charset="utf-8")
                catalog.update(template)
            catalog.obsolete.clear()
            _write(path, catalog)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def compile_all() -> None:
    for source in sources():
        for locale in LOCALES:
            path = po_path(source, locale)
            if not path.exists():
                continue
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            with path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)


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
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            for message in template:
                if not message.id:
                    continue
                translated = catalog.get(message.id, context=message.context)
                where = message.locations[0] if message.locations else ("?", 0)
                label = message.id if isinstance(message.id, str) else message.id[0]
                if translated is None:
                    found.append(f"{source.name}/{locale}: missing {label!r} ({where[0]}:{where[1]})")
                elif translated.fuzzy or not all(
                    translated.string if isinstance(translated.string, tuple) else [translated.string]
                ):
                    found.append(f"{source.name}/{locale}: untranslated {label!r} ({where[0]}:{where[1]})")
    return found


def fill(domain: str, translations: dict[str, str]) -> int:
    """Set nb strings of one catalogue from a mapping; returns how many entries still lack a translation."""
    source = next(s for s in sources() if s.name == domain)
    path = po_path(source, "nb")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="nb")
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
    _write(path, catalog)
    return sum(1 for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string)))


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        for source in sources():
            _write(source.folder / "messages.pot", extract(source))
    elif command == "update":
        update(argv[2] if len(argv) > 2 else None)
    elif command == "compile":
        compile_all()
    elif command == "fill":
        import json

        left = fill(argv[2], json.load(sys.stdin))
        print(f"{argv[2]}: {left} messages still untranslated")
    elif command == "check":
        issues = problems(argv[2] if len(argv) > 2 else None)
        for line in issues:
            print(line)
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
