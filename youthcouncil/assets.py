"""Our one stylesheet and one script, plus htmx: built with content-hashed names, served by WhiteNoise, cached forever.

``make assets`` runs this module: it joins ``static/css/*.css`` into one ``app.<hash>.css`` and ``static/js/*.js``
into one ``app.<hash>.js`` (in the order of ``BUNDLES``), copies htmx from ``node_modules/`` and the favicon under
hashed names too, writes gzip and brotli versions next to each file, and records the names in ``manifest.json``.
The base layout links them with ``asset_url("app.css")``. Because every page loads the same two files from
``<head>``, a page looks and behaves the same whether it was loaded directly or reached by a boosted link (hx-boost
swaps only ``<body>`` and ``<title>``), and after the first page the browser never asks for them again.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from youthcouncil.config import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
#: The build output (git-ignored): hashed files, their .gz and .br twins, and the manifest.
DIST = STATIC / "dist"
MANIFEST = DIST / "manifest.json"
URL_PREFIX = "/assets/"

#: What goes into each bundle, in order: the base styles first, so a domain's rules can refine them.
BUNDLES = {
    "app.css": [
        "css/app.css",
        "css/safety_week.css",
        "css/motions.css",
        "css/consultations.css",
        "css/budget.css",
        "css/membership.css",
    ],
    "app.js": ["js/app.js", "js/safety_week.js", "js/consultations.js", "js/budget.js"],
}
#: Files served as they are, under a hashed name.
COPIES = {
    "htmx.js": PROJECT_ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
    "favicon.svg": STATIC / "favicon.svg",
}
#: A name with a content hash in it: ``app.0123456789ab.css``.
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.[a-z]+$")
#: One year, the longest a browser honours; a changed file gets a new name, so nobody ever sees a stale one.
CACHE_FOREVER = "public, max-age=31536000, immutable"


def _hashed_name(logical: str, content: bytes) -> str:
    stem, _, suffix = logical.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}.{suffix}"


def _bundle(sources: list[str]) -> bytes:
    parts = []
    for source in sources:
        text = (STATIC / source).read_text(encoding="utf-8").rstrip() + "\n"
        # The file name in a comment tells a reader of the bundle where a rule comes from.
        parts.append(f"/* --- {source} --- */\n{text}")
    return "\n".join(parts).encode("utf-8")


def build(dist: Path = DIST) -> dict[str, str]:
    """Write the bundles, the copies and their compressed twins into ``dist`` (emptied first); return the manifest."""
    contents = {name: _bundle(sources) for name, sources in BUNDLES.items()}
    for name, path in COPIES.items():
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run `make assets` (it installs htmx with npm ci first)")
        contents[name] = path.read_bytes()
    if dist.exists():
        shutil.rmtree(dist)
    dist.mkdir(parents=True)
    compressor = Compressor(quiet=True)
    manifest = {}
    for name, content in contents.items():
        hashed = _hashed_name(name, content)
        (dist / hashed).write_bytes(content)
        compressor.compress(str(dist / hashed))
        manifest[name] = hashed
    (dist / MANIFEST.name).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _read_manifest() -> dict[str, str]:
    try:
        return json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(f"The asset bundle is not built ({MANIFEST} is missing): run `make assets`.") from None


def asset_url(name: str) -> str:
    """The address of a built file by its plain name (``asset_url("app.css")`` -> ``/assets/app.<hash>.css``)."""
    state = current_app.extensions["yc_assets"]
    if state["manifest"] is None or current_app.debug:
        state["manifest"] = _read_manifest()
    return URL_PREFIX + state["manifest"][name]


def _static_headers(headers, path: str, url: str) -> None:
    if FINGERPRINTED.search(url):
        headers["Cache-Control"] = CACHE_FOREVER
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    app.extensions["yc_assets"] = {"manifest": None}
    app.add_template_global(asset_url)
    # WhiteNoise answers /assets/ before Flask sees the request, with the .br or .gz twin when the browser accepts
    # it (and Vary: Accept-Encoding). Without a build there is nothing to serve; asset_url() then says what to do.
    whitenoise = WhiteNoise(
        app.wsgi_app,
        autorefresh=app.debug,
        max_age=60,
        allow_all_origins=False,
        add_headers_function=_static_headers,
    )
    if DIST.is_dir() or app.debug:
        whitenoise.add_files(str(DIST), prefix=URL_PREFIX)
    app.wsgi_app = whitenoise


if __name__ == "__main__":
    built = build()
    print("Built " + ", ".join(f"{URL_PREFIX}{name}" for name in built.values()), file=sys.stderr)
