"""Consultations: a clerk's request (høring), the council's discussion and draft, the adoption vote, the response,
and what the city decided."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)
