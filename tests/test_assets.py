"""Assets: one stylesheet and one script of ours plus htmx, fingerprinted, cached for a year, compressed when asked;
pages compressed when asked; no page links anything else or repeats an id."""

from __future__ import annotations

import gzip
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import brotli
import pytest

from tests.conftest import ROLES, log_in
from tests.test_access_matrix import _build_url, domain_url_values, rules
from youthcouncil import assets

ROOT = Path(__file__).resolve().parents[1]
HASHED = re.compile(r"^/assets/(?P<stem>[a-z]+)\.(?P<hash>[0-9a-f]{12})\.(?P<ext>css|js|svg)$")
FOREVER = "public, max-age=31536000, immutable"


class PageParser(HTMLParser):
    """The head's stylesheets and scripts, and every id on the page."""

    def __init__(self):
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.icons: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        if tag == "link" and attrs.get("rel") == "icon":
            self.icons.append(attrs["href"])
        if tag == "script":
            self.scripts.append(attrs.get("src"))


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def fetch(client, url: str, **kwargs):
    """GET a static file, read whole (so that the file WhiteNoise opened is closed at once)."""
    return client.get(url, buffered=True, **kwargs)


def bundle_urls(client) -> list[str]:
    page = parse(client.get("/"))
    return page.stylesheets + page.scripts + page.icons


def test_every_page_links_one_stylesheet_and_two_scripts_with_hashed_names(client, world, login_as):
    login_as("member")
    page = parse(client.get("/home"))
    assert len(page.stylesheets) == 1 and len(page.scripts) == 2 and len(page.icons) == 1
    names = [HASHED.match(url).group("stem", "ext") for url in page.stylesheets + page.scripts + page.icons]
    assert names == [("app", "css"), ("htmx", "js"), ("app", "js"), ("favicon", "svg")]


@pytest.mark.parametrize("index", range(4))
def test_bundle_files_are_named_by_their_content_and_cached_for_a_year(client, index):
    url = bundle_urls(client)[index]
    response = fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == FOREVER
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in response.headers  # the client asked for no compression
    body = response.get_data()
    assert hashlib.sha256(body).hexdigest()[:12] == HASHED.match(url).group("hash")


@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_bundle_files_come_compressed_when_asked(client, encoding, decompress):
    for url in bundle_urls(client):
        plain = fetch(client, url).get_data()
        response = fetch(client, url, headers={"Accept-Encoding": f"{encoding}"})
        assert response.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == FOREVER
        assert decompress(response.get_data()) == plain
        assert len(response.get_data()) < len(plain) * 0.8, url
    # A browser that takes both gets brotli, the smaller one.
    chrome = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    assert fetch(client, bundle_urls(client)[0], headers=chrome).headers["Content-Encoding"] == "br"


def test_the_bundle_holds_every_stylesheet_and_script_of_ours(client):
    css_url, _, js_url, _ = bundle_urls(client)
    css, js = fetch(client, css_url).get_data(as_text=True), fetch(client, js_url).get_data(as_text=True)
    for path in (ROOT / "static" / "css").glob("*.css"):
        assert path.read_text().strip() in css, f"{path.name} is not in the bundle (add it to assets.BUNDLES)"
    for path in (ROOT / "static" / "js").glob("*.js"):
        assert path.read_text().strip() in js, f"{path.name} is not in the bundle (add it to assets.BUNDLES)"
    assert js.index("window.yc = ") < js.index("window.yc.onLoad(")  # app.js first: the others use yc.onLoad


@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_come_compressed_when_asked(client, world, login_as, encoding, decompress):
    login_as("member")
    plain = client.get("/home")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    response = client.get("/home", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"] and "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    text = decompress(response.get_data()).decode()
    assert "Hei, Mia!" in text and len(response.get_data()) < len(text.encode()) / 2


def test_a_missing_file_under_assets_is_not_found(client):
    assert fetch(client, "/assets/app.000000000000.css").status_code == 404


def test_build_writes_hashed_files_their_compressed_twins_and_the_manifest(tmp_path):
    manifest = assets.build(tmp_path / "dist")
    assert set(manifest) == {"app.css", "app.js", "htmx.js", "favicon.svg"}
    for name, hashed in manifest.items():
        content = (tmp_path / "dist" / hashed).read_bytes()
        assert hashed == assets._hashed_name(name, content)
        assert brotli.decompress((tmp_path / "dist" / f"{hashed}.br").read_bytes()) == content
        assert gzip.decompress((tmp_path / "dist" / f"{hashed}.gz").read_bytes()) == content
    # The same sources give the same names (a rebuild never busts the browsers' caches for nothing).
    assert assets.build(tmp_path / "again") == manifest


def test_without_a_build_the_page_says_what_to_do(app, monkeypatch, tmp_path):
    monkeypatch.setattr(assets, "MANIFEST", tmp_path / "missing.json")
    monkeypatch.setitem(app.extensions["yc_assets"], "manifest", None)
    with app.test_request_context(), pytest.raises(RuntimeError, match="make assets"):
        assets.asset_url("app.css")


def test_no_template_links_a_stylesheet_or_script_of_its_own():
    """hx-boost swaps only <body> and <title>: anything linked outside the base layout's <head> would not arrive."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        if path.name in ("base.html", "response_print.html"):
            continue
        if re.search(r"<link\b|<script\b|\{% block head %\}|url_for\('static'", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"per-page assets in {offenders}: put the CSS and JS in static/ (one bundle)"


#: Each domain's stylesheet names its rules with its own prefixes, so that in one bundle they touch its pages only.
DOMAIN_PREFIXES = {
    "safety_week.css": ("sw-",),
    "motions.css": ("motion-",),
    "consultations.css": ("cs-", "diff"),
    "budget.css": ("budget-", "ballot-"),
    "membership.css": ("nomination", "roster", "activation-sheet", "sheet-steps"),
}


def _selectors(css: str):
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for block in re.finditer(r"([^{}]+)\{", css):
        head = block.group(1).strip()
        if head.startswith("@media") or head.startswith("@supports"):
            continue
        yield from (part.strip() for part in head.split(","))


@pytest.mark.parametrize("filename", sorted(DOMAIN_PREFIXES))
def test_domain_styles_are_scoped_to_their_pages(filename):
    css = (ROOT / "static" / "css" / filename).read_text()
    prefixes = DOMAIN_PREFIXES[filename]
    leaking = []
    for selector in _selectors(css):
        if selector.startswith("@page"):
            if selector == "@page":
                leaking.append("@page without a name (it would set every page's paper)")
            continue
        if not any(re.search(rf"\.{re.escape(prefix)}", selector) for prefix in prefixes):
            leaking.append(selector)
    assert not leaking, f"{filename}: rules that would reach other pages: {leaking}"


@pytest.mark.parametrize("role", ROLES)
def test_no_page_repeats_an_id(app, db, world, role):
    """Unique ids: htmx settles a swapped element by its id, and a label finds its field by id."""
    values = domain_url_values(world)
    db.session.commit()
    user = world.users.get(role)
    repeated = {}
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        client = app.test_client()
        if user is not None:
            log_in(client, user)
        response = client.get(_build_url(app, rule, values))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        ids = parse(response).ids
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            repeated[rule.rule] = twice
    assert not repeated, f"ids used more than once as {role}: {repeated}"


def test_a_form_sent_back_to_be_fixed_answers_htmx_with_200_and_a_plain_post_with_422(client, world, login_as):
    login_as("member")
    from tests.budget.builders import make_year
    from youthcouncil.budget.models import Phase

    year = make_year(Phase.proposing, total=10_000)
    url = f"/budget/years/{year.id}/propose"
    token = client.csrf_token(url)
    plain = client.post(url, data={"csrf_token": token, "title": ""})
    assert plain.status_code == 422
    boosted = client.post(url, data={"csrf_token": token, "title": ""}, headers={"HX-Request": "true"})
    assert boosted.status_code == 200

    # The same page (its CSRF tokens aside: they are signed with the second they were made in).
    def page(response):
        return re.sub(r'"[\w-]+\.[\w-]+\.[\w-]+"', "TOKEN", response.get_data(as_text=True))

    assert page(boosted) == page(plain) and 'class="error"' in page(plain)
