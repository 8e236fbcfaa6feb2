"""A confirmation the server enforces, for actions that cannot be undone (close a vote, close a term, withdraw).

The button of such an action is a plain POST. The view asks :func:`confirmation_page` first: a post without the
tick is answered with a page that says what will happen and asks for the tick; only a post carrying the tick goes
through. It works the same with and without JavaScript (a browser dialog shown by a script could be skipped, and
under ``hx-boost`` it was never shown at all).
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField
from wtforms.validators import DataRequired

from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form
from youthcouncil.web import is_safe_redirect

CONFIRM_FIELD = "confirm"


class ConfirmForm(Form):
    confirm = BooleanField(_l("Yes, I am sure"), validators=[DataRequired(_l("Tick the box to go on."))])


def confirmation_page(title: str, consequence: str, button: str, *, danger: bool = True, cancel_url: str | None = None):
    """``None`` when the POST carries the confirmation tick: go on with the action.

    Otherwise the response to return: the confirmation page (200 on the first tap, 422 with the message next to the
    box when it was sent without the tick). The page posts back to the same address with the original form values.
    """
    form = ConfirmForm()
    if CONFIRM_FIELD in request.form:
        if form.validate_on_submit():
            return None
        status = 422
    else:
        form = ConfirmForm(formdata=None)
        status = 200
    carried = MultiDict(
        (name, value) for name, value in request.form.items(multi=True) if name not in (CONFIRM_FIELD, "csrf_token")
    )
    html = render_template(
        "confirm.html",
        form=form,
        title=title,
        consequence=consequence,
        button=button,
        danger=danger,
        carried=carried,
        action=request.full_path if request.query_string else request.path,
        cancel_url=cancel_url or (request.referrer if _same_site(request.referrer) else None),
    )
    return html, status


def _same_site(url: str | None) -> bool:
    """The referring page, when it is one of ours (the "go back" link never leads elsewhere)."""
    if not url:
        return False
    root = request.host_url.rstrip("/")
    return url.startswith(root + "/") and is_safe_redirect(url[len(root) :])
