"""Links that leave the site (QR codes, e-mails, notifications): one way to build them, one setting.

``PUBLIC_BASE_URL`` (e.g. ``https://ungdomsrad.kommune.no``) is the address people reach the council at. When it is
set, every link uses it, inside a request too: behind a reverse proxy the request's ``Host`` is often the proxy's
own view of the app (``127.0.0.1:8000``), which no phone can open. When it is not set, a link made in a request
points where that request came in (``url_for(..., _external=True)``), and a link made outside one (the notify
worker, a CLI command) points where ``make run`` serves: ``http://$HOST:$PORT``.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from flask import current_app, has_request_context, request, url_for

from youthcouncil.config import served_address


def _base_url() -> str | None:
    """PUBLIC_BASE_URL; else None inside a request (its own address counts); else where the app is served."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured
    return None if has_request_context() else served_address()


def public_base_url() -> str:
    """Where people reach the app, whether or not there is a request: PUBLIC_BASE_URL, else where it is served."""
    return current_app.config.get("PUBLIC_BASE_URL") or served_address()


def public_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, _external=True, **values)``, at PUBLIC_BASE_URL when it is set, in a request or not."""
    base = _base_url()
    if base is None:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme or "http"
    )
    values = dict(values)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """The path (and query) of ``public_url``, as an in-app notification keeps it; the same in a request or not."""
    parts = urlsplit(public_url(endpoint, **values))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def public_url_of(path: str) -> str:
    """A path made by ``site_path`` (e.g. a notification's link) as a whole address, for an e-mail."""
    base = _base_url() or request.host_url
    parts = urlsplit(base)
    return urljoin(f"{parts.scheme}://{parts.netloc}/", path)


def page_of_the_form() -> str | None:
    """Where to come back to after logging in, for a form sent while logged out: the page the form was on (the
    address it was sent to takes only POSTs). From htmx's HX-Current-URL or the Referer, on this site only."""
    page = request.headers.get("HX-Current-URL") or request.referrer
    if not page:
        return None
    parts = urlsplit(page)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # A path a browser would read as another host (//evil.example, /\evil.example) is no page of ours: the
    # stale-form page links to it as it is.
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path
