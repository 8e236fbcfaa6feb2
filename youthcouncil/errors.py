"""The domain error every domain's own error derives from, and friendly error pages in the user's language."""

from flask import Flask, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.links import page_of_the_form


class DomainError(ValueError):
    """A domain rule said no: ``AccountError``, ``MembershipError``, ``BudgetError``… all derive from this.

    ``message`` is for the person who tried: raise with a ``lazy_gettext`` string (parameters inside it, e.g.
    ``_l("Use at most %(n)s characters.", n=60)``). It is translated lazily, when it is shown (``str(error)`` or
    ``error.message``), in the reader's language, never when it is raised, so the same error reads right in a
    request, in a CLI command or in a test. ``field`` names the form field it belongs to (None: the form as a
    whole); ``youthcouncil.web.attach_error`` shows it there.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        #: The message as raised (a lazy string), e.g. to raise it again as another domain's error.
        self.lazy_message = message
        self.field = field

    @property
    def message(self) -> str:
        """The message in the current language."""
        return str(self.lazy_message)

    def __str__(self) -> str:
        return self.message


MESSAGES = {
    400: (_l("Something went wrong with the form"), _l("Please go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"), _l("If you think you should, ask the youth coordinator.")),
    404: (_l("We could not find that page"), _l("The link may be old, or the page may have been removed.")),
    405: (_l("That did not work"), _l("Please go back and use the buttons on the page.")),
    413: (_l("The file is too big"), _l("Please choose a smaller file and try again.")),
    429: (_l("Too many tries"), _l("Please wait a few minutes before you try again.")),
    503: (_l("Not available right now"), _l("Please try again in a minute.")),
    500: (_l("Something went wrong on our side"), _l("Please try again in a moment. Nothing you sent was lost.")),
}


def render_error(code: int, detail: str | None = None, *, title=None, action: tuple[str, str] | None = None):
    """The error page; ``action`` is a (label, url) button in place of "Go to the front page"."""
    default_title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title or default_title, text=detail or text, action=action
    ), code


def _stale_form_page():
    """A form whose token no longer fits the session: the session had ended (logged out, or 12 hours), or the
    page was older than the last login. Reloading would ask for the address the form posted to, so the button
    leads to the page the form was on (logging in first when the session has ended)."""
    page = page_of_the_form()
    if not current_user.is_authenticated:
        return render_error(
            400,
            str(_l("You were logged out, so it was not sent. Log in and try again.")),
            title=_l("You are logged out"),
            action=(str(_l("Log in")), url_for("accounts.login", next=page)),
        )
    return render_error(
        400,
        str(_l("The page was too old, so it was not sent. Open the page again and try once more.")),
        action=(str(_l("Open the page again")), page) if page else None,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return _stale_form_page()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        return render_error(error.code if error.code in MESSAGES else 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(500)
