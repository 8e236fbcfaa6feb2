"""youthcouncil: a lightweight web app for a municipality's children and youth council."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask

from youthcouncil.config import PROJECT_ROOT, AppConfig, Config

#: The domains, one package and one blueprint each, in the order their navigation and home panels appear.
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


def installed_domains() -> list[str]:
    here = Path(__file__).resolve().parent
    return [name for name in DOMAINS if (here / name / "__init__.py").exists()]


class YouthCouncil(Flask):
    config_class = AppConfig  # the secret key is generated when first needed, not at start


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
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a proxy the peer is the proxy: take the client's address from the headers it sets, or the login
        # throttle would count every visitor as one.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        ";".join(["translations"] + [f"{name}/translations" for name in installed_domains()]),
    )

    from youthcouncil import auth, cli, errors, i18n, secret_ballot, security, web
    from youthcouncil.db import render_migration_item
    from youthcouncil.db_setup import engine_options
    from youthcouncil.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
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
    web.init_app(app)
    errors.init_app(app)
    secret_ballot.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)

    for name in installed_domains():
        module = importlib.import_module(f"youthcouncil.{name}")
        app.register_blueprint(module.bp)
        commands = getattr(importlib.import_module(f"youthcouncil.{name}"), "register_cli", None)
        if commands:
            commands(app)
    return app
