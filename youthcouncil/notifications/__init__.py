"""Notifications: in-app messages for everyone and an e-mail outbox for adults, sent by ``flask notify``."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
