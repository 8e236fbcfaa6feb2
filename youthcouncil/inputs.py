"""What any client may send, checked once for every page: ids in URLs and forms, NUL bytes, JSON bodies.

Pages here read HTML forms. Whatever else arrives (an id past the database's integers, a digit that is not 0–9, a
NUL byte PostgreSQL cannot store, a JSON body) is answered as "not found", "the form is empty", a message next to the
field, or (a NUL byte in the address or a file's name) "bad request" — never with a server error.
"""

from __future__ import annotations

import re

from flask import Flask, Request, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from youthcouncil.errors import render_error
from youthcouncil.i18n import lazy_gettext as _l

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

    #: The form fields whose text held a NUL byte (shown as U+FFFD; see `refuse_nul_bytes`).
    nul_fields: frozenset[str] = frozenset()

    def get_json(self, force=False, silent=False, cache=True):
        return None


NUL_MESSAGE = _l("The form held an invisible character (NUL) that cannot be saved. Please type the text again.")
NUL_FIELD_MESSAGE = _l(
    "This text holds an invisible character that cannot be saved, shown here as �. Remove it and send again."
)
#: What a NUL byte in a form value is shown as: the replacement character, where it was typed or pasted.
SHOWN_FOR_NUL = "\N{REPLACEMENT CHARACTER}"


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def refuse_nul_bytes():
    """A NUL byte cannot be stored (PostgreSQL refuses one in a text column) and no keyboard types one, though a
    paste may carry one.

    In a form value: the value is kept with the NUL shown as U+FFFD, and the form (`Form`) answers with a message
    next to that field, so what was typed is not lost. Anywhere else a page reads text from (the URL, the query, a
    field's name, a file's name): a plain 400 page.
    """
    form = request.form if request.method in ("POST", "PUT", "PATCH", "DELETE") else {}
    parts = [
        (request.view_args or {}).values(),
        request.args.keys(),
        [value for _, value in request.args.items(multi=True)],
        form.keys(),
        [upload.filename for _, upload in request.files.items(multi=True)],
    ]
    if any(_has_nul(values) for values in parts):
        return render_error(400, str(NUL_MESSAGE))
    if form and _has_nul(value for _, value in form.items(multi=True)):
        request.nul_fields = frozenset(name for name, value in form.items(multi=True) if "\x00" in value)
        request.form = ImmutableMultiDict(
            [(name, value.replace("\x00", SHOWN_FOR_NUL)) for name, value in form.items(multi=True)]
        )
    return None


class Form(FlaskForm):
    """Every form of the app: a field whose text held a NUL byte fails with a message next to it (and, for a hidden
    field, at the top of the form), its text kept with the NUL shown as U+FFFD."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        nul_fields = getattr(request, "nul_fields", frozenset())
        for field in self:
            if field.name in nul_fields:
                valid = False
                field.errors = [*field.errors, NUL_FIELD_MESSAGE]
                if getattr(field.widget, "input_type", None) == "hidden":
                    self.form_errors.append(NUL_FIELD_MESSAGE)
        return valid


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
