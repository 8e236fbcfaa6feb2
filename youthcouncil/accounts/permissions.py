"""Who may do what with accounts."""

from youthcouncil.auth import Role, has_role


def can_manage_accounts(user) -> bool:
    return has_role(user, Role.coordinator)


def can_issue_code_for(user, account) -> bool:
    """Coordinators issue codes for others; nobody resets their own account this way."""
    return can_manage_accounts(user) and account.id != user.id
