"""Security headers on every response."""

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


#: Set on every response unless the view set its own.
_ALWAYS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _set_headers(response):
    headers = response.headers
    # The names present, read once: each missing name looked up on its own costs Werkzeug an exception raised and
    # caught, eight on every response.
    present = {name.lower() for name, _value in headers.items()}
    for name, value in (*_ALWAYS, _HSTS) if _served_over_https() else _ALWAYS:
        if name.lower() not in present:
            headers.add(name, value)
    if request.endpoint != "static" and "cache-control" not in present:
        # Pages can hold personal data; never let a shared computer's back button show them after logout.
        headers["Cache-Control"] = "no-store"
    return response


def _served_over_https() -> bool:
    return request.is_secure or current_app.config.get("HTTPS", False)


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
