"""The activation link and its QR code (segno, as an inline SVG data URI: no request, no file)."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from flask import current_app, has_request_context, url_for


def activation_link(code: str) -> str:
    if has_request_context():
        return url_for("accounts.activate", code=code, _external=True)
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/activate?{urlencode({'code': code})}"


def qr_svg_data_uri(text: str, scale: int = 6) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=4)
