"""The safety week (trygghetsuka): the yearly theme round. Proposing, review, a secret vote, a public result."""

from flask import Blueprint

bp = Blueprint("safety_week", __name__)
