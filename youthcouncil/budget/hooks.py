"""Connect the budget to the motion engine and the reminders, when those domains are installed."""

from __future__ import annotations

import importlib

from youthcouncil.budget.ballot import remind_unsubmitted
from youthcouncil.budget.ledger import handle_motion_outcome, motion_subject_link

_connected = False


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def connect_hooks() -> None:
    global _connected
    if _connected:
        return

    register_outcome_handler = _optional("youthcouncil.motions.services", "register_outcome_handler") or _optional(
        "youthcouncil.motions", "register_outcome_handler"
    )
    if register_outcome_handler is not None:
        register_outcome_handler("budget_grant", handle_motion_outcome)
    register_subject_link = _optional("youthcouncil.motions.services", "register_subject_link") or _optional(
        "youthcouncil.motions", "register_subject_link"
    )
    if register_subject_link is not None:
        register_subject_link("budget_grant", motion_subject_link)
    register_due_check = _optional("youthcouncil.notifications.services", "register_due_check") or _optional(
        "youthcouncil.notifications", "register_due_check"
    )
    if register_due_check is not None:
        register_due_check(remind_unsubmitted)
    _connected = True
