"""The activation link and its QR code (segno, as an inline SVG data URI: no request, no file)."""

from __future__ import annotations

import segno

from youthcouncil.links import public_url


def activation_link(code: str) -> str:
    return public_url("accounts.activate", code=code)


def qr_svg_data_uri(text: str, scale: int = 6) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=4)
