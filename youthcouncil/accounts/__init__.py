"""Accounts: login with username and passphrase, activation codes, passphrase change, logout."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
