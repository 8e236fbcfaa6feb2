"""Kroner in the reader's language: the template filter ``kroner`` and the pattern budget.js fills in."""

from __future__ import annotations

from babel.numbers import format_decimal, get_group_symbol
from flask_babel import get_locale

from youthcouncil.i18n import gettext as _


def _number_locale() -> str:
    try:
        return str(get_locale() or "nb")
    except RuntimeError:  # outside an app context
        return "nb"


def kroner_parts() -> tuple[str, str]:
    """The reader's money pattern with ``{n}`` for the number, and their thousands separator (for budget.js)."""
    return _("NOK\u00a0%(amount)s", amount="{n}"), get_group_symbol(_number_locale())


def kroner(amount: int | None) -> str:
    """'kr 42 000' in bokmål, 'NOK 42,000' in English: the pattern comes from the catalogue, grouping from CLDR."""
    if amount is None:
        return ""

    sign = "−" if amount < 0 else ""
    number = format_decimal(abs(int(amount)), format="#,##0", locale=_number_locale())
    return sign + _("NOK\u00a0%(amount)s", amount=number)
