"""Motions: the council's yes/no/abstain votes with a quorum, by phone or by a hand count at a meeting.

Shared by the domains that need a council decision (consultation responses, mid-year budget grants); they open
motions through ``youthcouncil.motions.services`` and hear how they ended through ``youthcouncil.motions.signals``.
"""

from flask import Blueprint

bp = Blueprint("motions", __name__)
