"""Language and time zone: bokmål by default, English on request; a choice sticks in a cookie."""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import support
from babel.dates import get_date_format, get_datetime_format
from flask import Flask, current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel import format_datetime, format_decimal, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup
from wtforms.i18n import messages_path

LANGUAGE_COOKIE = "yc_lang"
OSLO = ZoneInfo("Europe/Oslo")


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return "Europe/Oslo"


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Mark an English message for the catalogue without translating it now: it is its own msgid, translated
    later in each reader's language (a notification stores the msgid and its parameters)."""
    return message


def to_oslo(moment: datetime) -> datetime:
    return moment.astimezone(OSLO)


def oslo_minute(moment: datetime) -> str:
    """Norwegian time as 27.11.2026 18:00, the same in every language (also outside a request)."""
    return to_oslo(moment).strftime("%d.%m.%Y %H:%M")


@functools.cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _wtforms_messages_once_per_language() -> None:
    """WTForms' own messages ("Not a valid integer value.") in the reader's language, read from disk once per
    language: Flask-WTF would load the catalogue for every request with a form; it takes the one kept here."""
    request.wtforms_translations = _wtforms_catalogue(str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))


def translations() -> support.NullTranslations:
    """The reader's catalogue, as Flask-Babel's ``get_translations()``, looked up once per locale in a request.

    Flask-Babel goes through ``g`` three or four times for every string a template translates (some 130 on a
    member's home page); this keeps the catalogue beside the locale it is for, so a locale changed within the
    request (``force_locale``) gets its own catalogue.
    """
    app_context = _cv_app.get(None)
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    if state is not None:
        locale = state.__dict__.get("babel_locale")
        kept = state.__dict__.get("yc_translations")
        if locale is not None and kept is not None and kept[0] is locale:
            return kept[1]
    catalogue = get_translations()
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    if state is not None and state.__dict__.get("babel_locale") is not None:
        state.yc_translations = (state.babel_locale, catalogue)
    return catalogue


def gettext(message: str, **variables) -> str:
    """Flask-Babel's ``gettext`` (``_`` in Python code), through the catalogue kept for the request."""
    translated = translations().ugettext(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's ``ngettext``, through the catalogue kept for the request (``num`` is the count unless given)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(message: str, **variables) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` (``_l``): translated in the reader's language each time it is shown."""
    return LazyString(gettext, message, **variables)


@pass_context
def _template_gettext(context, message: str, **variables) -> str:
    """``_()`` and ``gettext()`` in templates: Jinja's newstyle gettext (the catalogue's text marked safe when
    autoescaping, always %-formatted, so the variables are escaped) without its two extra calls per string."""
    translated = translations().ugettext(message)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 (our catalogue, as Jinja does; the variables are escaped)
    return translated % variables


@pass_context
def _template_ngettext(context, singular: str, plural: str, n: int, **variables) -> str:
    """``ngettext()`` in templates, as Jinja's newstyle one (``num`` is the count unless given)."""
    variables.setdefault("num", n)
    translated = translations().ungettext(singular, plural, n)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 (our catalogue, as Jinja does; the variables are escaped)
    return translated % variables


def init_app(app: Flask) -> None:
    app.before_request(_wtforms_messages_once_per_language)
    # Templates translate through the catalogue kept for the request, in place of the callables Flask-Babel installed
    # (its pgettext and npgettext stay; no template uses them).
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)

    app.jinja_env.globals.update(
        current_language=lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        LANGUAGES=app.config["LANGUAGES"],
    )

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_moment(value, fmt) if value else ""
    app.jinja_env.filters["time"] = lambda value: format_time(value) if value else ""
    app.jinja_env.filters["file_size"] = file_size


def time_left(deadline: datetime, now: datetime) -> str:
    """How long until ``deadline`` in plain words: "12 days are left", "5 hours are left", "less than an hour"."""
    seconds = (deadline - now).total_seconds()
    if seconds >= 36 * 3600:
        return ngettext("%(num)d day is left", "%(num)d days are left", round(seconds / 86400))
    if seconds >= 3600:
        return ngettext("%(num)d hour is left", "%(num)d hours are left", round(seconds / 3600))
    if seconds > 0:
        return gettext("less than an hour is left")
    return gettext("the time is up")


def format_time(moment: datetime) -> str:
    """The time of day on the 24-hour clock in every language, in Oslo time: 14:05."""
    return format_datetime(moment, "HH:mm")


MEGABYTE = 1024 * 1024


def file_size(size: int) -> str:
    """A file's size as a reader thinks of it: "597 bytes", "12 kB", "1.5 MB" (never "0.0 MB")."""
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    if size < MEGABYTE // 10:
        return gettext("%(size)s kB", size=format_decimal(round(size / 1024)))
    return gettext("%(size)s MB", size=format_decimal(round(size / MEGABYTE, 1), format="#,##0.0"))


def format_moment(moment: datetime, width: str = "medium") -> str:
    """A date and time in the reader's language, always on the 24-hour clock and never in the ambiguous all-digit
    form: "7. des. 2026, 17:53", "Dec 7, 2026, 17:53". A CLDR pattern ("d. MMM y") is used as it is."""
    if width not in ("short", "medium", "long", "full"):
        return format_datetime(moment, width)
    locale = get_locale()
    date_width = "medium" if width == "short" else width
    date_pattern = get_date_format(date_width, locale).pattern
    pattern = get_datetime_format(date_width, locale).replace("{1}", date_pattern).replace("{0}", "HH:mm")
    return format_datetime(moment, pattern)
