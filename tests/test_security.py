"""Headers, CSRF, no inline script, error pages, request size."""

import gc
import io
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.mark.parametrize("path", ["/", "/login", "/activate", "/nowhere"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # only over HTTPS
    assert "HX-Request" in response.headers.get("Vary", "")


def test_security_headers_are_sent_once_and_a_views_own_value_is_kept(app, client):
    over_https = client.get("/login", base_url="https://localhost")
    for name in ("Content-Security-Policy", "X-Frame-Options", "Strict-Transport-Security", "Cache-Control"):
        assert len(over_https.headers.getlist(name)) == 1, name
    assert over_https.headers["Cache-Control"] == "no-store"

    from flask import Response

    from youthcouncil.security import _set_headers

    with app.test_request_context("/home"):
        own = _set_headers(
            Response("x", headers={"cache-control": "private, max-age=60", "x-frame-options": "SAMEORIGIN"})
        )
    assert own.headers.getlist("Cache-Control") == ["private, max-age=60"]  # names match whatever their case
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert own.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in own.headers


def test_activation_page_never_leaks_the_code_in_a_referrer(client):
    link = client.get("/activate?code=ABCD-EFGH-JKMN")
    assert link.status_code == 303 and "code" not in link.headers["Location"]
    assert link.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/activate")
    assert "ABCD-EFGH-JKMN" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_templates_have_no_inline_script_or_handlers():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=", text) or " style=" in text:
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert not offenders, offenders


# Werkzeug leaves the spooled temporary file of a refused (too large) upload for the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_max_content_length_is_set_and_a_too_big_request_gets_a_friendly_413(app, client):
    assert app.config["MAX_CONTENT_LENGTH"]
    limit = app.config["MAX_CONTENT_LENGTH"]
    token = client.csrf_token("/login")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        with_file = client.post(
            "/login",
            data={"csrf_token": token, "file": (io.BytesIO(b"0" * 5000), "stor.pdf")},
            content_type="multipart/form-data",
        )
        text_only = client.post("/login", data={"csrf_token": token, "username": "x" * 5000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert with_file.status_code == text_only.status_code == 413
    assert "Filen er for stor" in with_file.get_data(as_text=True)
    # A form without files can only be too big for its text: the page says that, not that a file is too big.
    assert "Teksten du sendte er for lang" in text_only.get_data(as_text=True)
    assert "Filen er for stor" not in text_only.get_data(as_text=True)
    del with_file
    gc.collect()


@pytest.mark.parametrize(
    "lang, words", [("nb", "Teksten du sendte er for lang"), ("en", "The text you sent is too long")]
)
def test_a_text_over_the_form_memory_limit_is_called_a_too_long_text(app, client, lang, words):
    """Werkzeug refuses a text part of a multipart form over MAX_FORM_MEMORY_SIZE (about 500 KB) with a 413, although
    the request is far below MAX_CONTENT_LENGTH: that is a too long text, not a too big file."""
    client.set_cookie("yc_lang", lang)
    too_long = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    response = client.submit(
        "/login", {"username": too_long, "password": "x"}, page="/login", content_type="multipart/form-data"
    )
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert words in body
    assert "Filen er for stor" not in body and "file is too big" not in body


def test_friendly_error_pages_in_both_languages(client):
    assert "Vi fant ikke den siden" in client.get("/nowhere").get_data(as_text=True)
    client.set_cookie("yc_lang", "en")
    assert "We could not find that page" in client.get("/nowhere").get_data(as_text=True)


def test_unexpected_error_shows_the_friendly_500_page(app, client, monkeypatch):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    monkeypatch.setitem(app.view_functions, "accounts.activate", boom)
    response = client.get("/activate")
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
