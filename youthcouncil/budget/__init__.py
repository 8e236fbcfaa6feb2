"""Event budget: a budget year, event proposals, a secret participatory-budgeting vote, grants and the ledger."""

from flask import Blueprint

bp = Blueprint("budget", __name__)
