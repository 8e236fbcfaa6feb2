"""The transparency pages anyone can see without logging in."""

from flask import Blueprint

bp = Blueprint("public", __name__)
