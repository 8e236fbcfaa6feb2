"""The transparency pages anyone can see without logging in."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from youthcouncil.public import views  # noqa: E402,F401
