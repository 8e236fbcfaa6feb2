"""What any client may send, checked once for every page: ids in URLs and forms, NUL bytes, JSON bodies.

Pages here read HTML forms. Whatever else arrives (an id past the database's integers, a digit that is not 0–9, a
NUL byte PostgreSQL cannot store, a JSON body) is answered as "not found", "bad request" or "the form is empty" —
never with a server error.
"""

from __future__ import annotations

import re

from flask import Flask, Request, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from youthcouncil.errors import render_error

#: The largest id (and whole number) every backend stores: PostgreSQL's ``integer``.
MAX_INT = 2**31 - 1

_ASCII_INT = re.compile(r"[0-9]{1,10}")


def parse_id(value) -> int | None:
    """The id in a form value, or None: ASCII digits only (``"²"`` and ``"١"`` pass ``isdigit()`` but are no id),
    from 1 to ``MAX_INT``."""
    if not isinstance(value, str) or not _ASCII_INT.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if 1 <= number <= MAX_INT else None


def whole_number(value) -> int:
    """``coerce`` for a select of ids (0 may mean "none"): ASCII digits from 0 to ``MAX_INT``, else ValueError,
    which the form shows as the field's error."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ASCII_INT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise ValueError(value)
    if not 0 <= number <= MAX_INT:
        raise ValueError(value)
    return number


class IdConverter(IntegerConverter):
    """The ``int`` of every URL rule: ASCII digits, at most ``MAX_INT``. Anything else is no page (404), where
    werkzeug's own would hand the view a number no database column holds."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class FormRequest(Request):
    """A JSON body is read as no form at all: every form then answers with its fields' plain messages.

    Flask-WTF would otherwise hand the fields JSON values of any type (numbers, lists, null), or fail on a body
    that is a JSON list. Nothing here is a JSON API.
    """

    def get_json(self, force=False, silent=False, cache=True):
        return None


NUL_MESSAGE = _l("The form held an invisible character (NUL) that cannot be saved. Please type the text again.")


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def refuse_nul_bytes():
    """400 for a NUL byte anywhere a page reads text from: the URL, the query, the form, a file's name.

    PostgreSQL cannot store one in a text column, and no keyboard types one.
    """
    form = request.form if request.method in ("POST", "PUT", "PATCH", "DELETE") else {}
    parts = [
        (request.view_args or {}).values(),
        request.args.keys(),
        [value for _, value in request.args.items(multi=True)],
        form.keys(),
        [value for _, value in form.items(multi=True)] if form else [],
        [upload.filename for _, upload in request.files.items(multi=True)],
    ]
    if any(_has_nul(values) for values in parts):
        return render_error(400, str(NUL_MESSAGE))
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
