"""What every CSV export shares: cells that a spreadsheet shows as text and never runs as a formula."""

#: What makes a spreadsheet treat a cell as a formula (also the full-width forms Excel accepts).
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value):
    """A text cell people wrote, made inert for spreadsheets with a leading apostrophe; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("\t", "\r", "\n") or value.lstrip()[:1] in FORMULA_STARTS:
        return "'" + value
    return value
