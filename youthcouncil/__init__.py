"""youthcouncil: a lightweight web app for a municipality's children and youth council."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from youthcouncil.config import PROJECT_ROOT, AppConfig, Config
from youthcouncil.inputs import FormRequest, IdConverter

#: The domains, one package and one blueprint each; each has its own translation catalogue.
DOMAINS = (
    "accounts",
    "membership",
    "safety_week",
    "motions",
    "consultations",
    "budget",
    "notifications",
    "public",
)


class YouthCouncil(Flask):
    config_class = AppConfig  # the secret key is generated when first needed, not at start
    request_class = FormRequest  # forms only: a JSON body is an empty form


def create_app(config: Any = None) -> Flask:
    app = YouthCouncil(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_relative_config=False,
    )
    if config is None:
        config = Config()
    if isinstance(config, dict):
        base = Config()
        app.config.from_object(base)
        app.config.update(config)
    else:
        app.config.from_object(config)
    app.instance_path = app.config["INSTANCE_PATH"]
    # Before any rule is added: every <int:...> in a URL is an id a database column can hold, or no page.
    app.url_map.converters["int"] = IdConverter
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a proxy the peer is the proxy: take the client's address from the headers it sets, or the login
        # throttle would count every visitor as one.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        ";".join(["translations"] + [f"{name}/translations" for name in DOMAINS]),
    )

    from youthcouncil import assets, auth, cli, db_setup, errors, i18n, inputs, migrate, secret_ballot, security, web
    from youthcouncil.db_setup import engine_options
    from youthcouncil.extensions import babel, compress, csrf, db, htmx, limiter, login_manager

    # First, so that its after-request hook runs last, on the finished page.
    compress.init_app(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config.get("SQLALCHEMY_ENGINE_OPTIONS"), app.config.get("SQLALCHEMY_DATABASE_URI")
    )
    db.init_app(app)
    db_setup.init_app(app)  # before any hook that reads the database
    migrate.init_app(app)  # Flask-Migrate and Alembic are imported only when a migration runs
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from youthcouncil.db_setup import configure_engine_events

    with app.app_context():
        configure_engine_events(db.engine)

    auth.init_app(app)
    security.init_app(app)
    inputs.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    secret_ballot.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    assets.init_app(app)

    _add_domains(app)
    return app


def _add_domains(app: Flask) -> None:
    """Every domain's blueprint and commands. Importing a domain's views and panels adds its routes, menu items and
    home panels; importing the modules that receive signals connects their receivers (``youthcouncil.signals``)."""
    from youthcouncil import accounts, budget, consultations, membership, motions, notifications, public, safety_week
    from youthcouncil.accounts import sso_views as accounts_sso_views  # noqa: F401
    from youthcouncil.accounts import views as accounts_views  # noqa: F401
    from youthcouncil.budget import ballot as budget_ballot  # noqa: F401 - reminders of unsubmitted drafts
    from youthcouncil.budget import demo as budget_demo  # noqa: F401
    from youthcouncil.budget import ledger as budget_ledger  # noqa: F401 - grant motions decided or stopped
    from youthcouncil.budget import panels as budget_panels  # noqa: F401
    from youthcouncil.budget import retention as budget_retention  # noqa: F401
    from youthcouncil.budget import views as budget_views  # noqa: F401
    from youthcouncil.consultations import adoption as consultations_adoption  # noqa: F401 - adoption votes
    from youthcouncil.consultations import demo as consultations_demo  # noqa: F401
    from youthcouncil.consultations import notices as consultations_notices  # noqa: F401 - deadline reminders
    from youthcouncil.consultations import panels as consultations_panels  # noqa: F401
    from youthcouncil.consultations import retention as consultations_retention  # noqa: F401
    from youthcouncil.consultations import views as consultations_views  # noqa: F401
    from youthcouncil.membership import panels as membership_panels  # noqa: F401
    from youthcouncil.membership import views as membership_views  # noqa: F401
    from youthcouncil.membership.cli import retention_group
    from youthcouncil.motions import panels as motions_panels  # noqa: F401
    from youthcouncil.motions import views as motions_views  # noqa: F401
    from youthcouncil.notifications import panels as notifications_panels  # noqa: F401
    from youthcouncil.notifications import views as notifications_views  # noqa: F401
    from youthcouncil.notifications.cli import notify_command, start_info_command
    from youthcouncil.public import views as public_views  # noqa: F401
    from youthcouncil.safety_week import demo as safety_week_demo  # noqa: F401
    from youthcouncil.safety_week import panels as safety_week_panels  # noqa: F401
    from youthcouncil.safety_week import retention as safety_week_retention  # noqa: F401
    from youthcouncil.safety_week import services as safety_week_services  # noqa: F401 - counts closed rounds
    from youthcouncil.safety_week import views as safety_week_views  # noqa: F401
    from youthcouncil.safety_week.cli import safety_week_group

    for domain in (accounts, membership, safety_week, motions, consultations, budget, notifications, public):
        app.register_blueprint(domain.bp)
    for command in (retention_group, safety_week_group, notify_command, start_info_command):
        app.cli.add_command(command)
