"""Small view helpers shared by all domains: navigation, home panels, page-or-fragment rendering, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.widgets import HiddenInput

from youthcouncil.auth import PUBLIC, AccessRule, Role, roles_of
from youthcouncil.errors import DomainError
from youthcouncil.extensions import htmx
from youthcouncil.inputs import Form
from youthcouncil.links import public_url


class EmptyForm(Form):
    """For button-only POSTs: carries the CSRF token and nothing else."""


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: frozenset[str]
    order: int = 50


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home_panels: list[tuple[int, Callable]] = field(default_factory=list)


registry = Registry()


def nav_item(endpoint: str, label, roles, order: int = 50) -> None:
    """Add a link to the main navigation for the given roles (``PUBLIC`` for everyone, also logged out)."""
    roles = frozenset([roles]) if isinstance(roles, str) else frozenset(str(role) for role in roles)
    if any(item.endpoint == endpoint for item in registry.nav):
        return
    registry.nav.append(NavItem(endpoint, label, roles, order))


def home_panel(order: int = 50) -> Callable:
    """Register ``fn(user) -> Markup | None``: a panel on the logged-in home page (e.g. "you have not voted yet")."""

    def decorate(fn: Callable) -> Callable:
        if fn not in [panel for _, panel in registry.home_panels]:
            registry.home_panels.append((order, fn))
        return fn

    return decorate


def nav_for(user) -> list[NavItem]:
    """The main menu: the public pages for visitors; for a logged-in user, the pages of their roles.

    Logged-in users find the public pages in the footer, so the menu stays short on a phone.
    """
    if not user.is_authenticated:
        items = [item for item in registry.nav if PUBLIC in item.roles]
    else:
        roles = {str(role) for role in roles_of(user)}
        items = [item for item in registry.nav if roles & item.roles]
    return sorted(items, key=lambda item: item.order)


def public_pages() -> list[NavItem]:
    return sorted((item for item in registry.nav if PUBLIC in item.roles), key=lambda item: item.order)


def home_panels_for(user) -> list:
    panels = []
    for _, panel in sorted(registry.home_panels, key=lambda pair: pair[0]):
        html = panel(user)
        if html:
            panels.append(html)
    return panels


def attach_error(form, error: DomainError, default: str | None) -> None:
    """Show a service's refusal under the form field it names, or under ``default`` when it names none of this form's
    fields (``None``: at the top of the form, for a refusal about the whole form); the page is then rendered again
    with the values kept."""
    name = error.field if error.field in form else default
    if name is None:
        form.form_errors.append(error.message)
        return
    form[name].errors = [*form[name].errors, error.message]


def render_page_or_fragment(template: str, fragment: str, target: str, **context):
    """Render the whole page, or only ``fragment`` when htmx asks to swap the element with id ``target``."""
    if htmx and htmx.target == target:
        response = render_template(fragment, **context)
    else:
        response = render_template(template, **context)
    return response


def is_safe_redirect(target: str | None) -> bool:
    """A path on this site. Browsers read a backslash as "/" (``/\\evil.example`` is another host) and drop tabs and
    newlines, so a target holding either is refused."""
    if not target or "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def redirect_back(default_endpoint: str, **values):
    target = request.args.get("next") or request.form.get("next")
    if is_safe_redirect(target):
        return redirect(target, code=303)
    return redirect(url_for(default_endpoint, **values), code=303)


def see_other(endpoint: str, **values):
    """The redirect after a successful POST (303, so a reload never posts again)."""
    return redirect(url_for(endpoint, **values), code=303)


def hidden_fields(form: Form) -> Markup:
    """The form's hidden inputs (the CSRF token among them) without ids.

    A page often holds several forms, and ids must be unique on a page: repeated ones make htmx's settle step match
    the wrong element. Nothing refers to a hidden input by id.
    """
    return Markup("\n").join(field(id=False) for field in form if isinstance(field.widget, HiddenInput))


def _vary_on_htmx(response):
    response.vary.add("HX-Request")
    return response


def _form_answers_quietly_to_htmx(response):
    """A form sent back to be fixed answers htmx with 200: the page says what to fix.

    Plain form posts keep 422. To htmx the answer is a page to swap in like any other, and a browser reports every
    4xx answer to a script as an error in its console.
    """
    if response.status_code == 422 and htmx:
        response.status_code = 200
    return response


def _a_sent_form_keeps_the_page_address(response):
    """A page in answer to a form htmx sent (sent back to be fixed, an error, a confirmation; not a redirect): the
    address bar keeps the page the form was on. htmx would show the address the form was sent to, which takes only
    POSTs, so a reload (pulling down on a phone) or coming back to it answered "That did not work"."""
    if htmx and request.method != "GET" and not 300 <= response.status_code < 400:
        response.headers["HX-Push-Url"] = "false"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary_on_htmx)
    app.after_request(_form_answers_quietly_to_htmx)
    app.after_request(_a_sent_form_keeps_the_page_address)
    app.add_template_global(hidden_fields)
    app.add_template_global(public_url)  # for links printed on paper (activation sheets)

    # Template globals, not context processors: a processor runs for every template rendered (six on a member's
    # home page, one per panel); these are looked up only where base.html uses them.
    app.jinja_env.globals.update(nav_items=lambda: nav_for(current_user), public_pages=public_pages)


__all__ = [
    "AccessRule",
    "EmptyForm",
    "Role",
    "hidden_fields",
    "home_panel",
    "home_panels_for",
    "is_safe_redirect",
    "nav_item",
    "redirect_back",
    "render_page_or_fragment",
    "see_other",
]
