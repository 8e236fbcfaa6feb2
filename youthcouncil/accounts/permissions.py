"""Who may do what with accounts.

Templates: ``accounts_permissions.can_<verb>_<noun>(current_user, obj)`` (this module, an app-wide template global
registered in views.py); no role checks in templates.
"""

from youthcouncil.auth import Role, has_role


def can_manage_accounts(user) -> bool:
    return has_role(user, Role.coordinator)


def can_issue_code_for(user, account) -> bool:
    """Coordinators issue codes for others; nobody resets their own account this way."""
    return can_manage_accounts(user) and account.id != user.id


def can_change_active(user, account) -> bool:
    """Deactivate or let log in again: coordinators, for someone else (nobody locks themselves out)."""
    return can_manage_accounts(user) and account.id != user.id


def can_disconnect_identity(user, account) -> bool:
    """Coordinators disconnect a provider account from someone else's account (a wrong or lost one)."""
    return can_manage_accounts(user) and account.id != user.id


def can_connect_identity(user, provider) -> bool:
    return user.is_authenticated and provider.allows(user)


def can_take_email_from_provider(user) -> bool:
    """Only adults have an e-mail address here."""
    return user.is_authenticated and user.account_type.value in ("clerk", "coordinator")
