"""Membership: the municipality, schools, terms, nominations, roster, end of term."""

from flask import Blueprint

bp = Blueprint("membership", __name__)
