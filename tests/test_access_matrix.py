"""Every endpoint declares who may reach it, and every role gets exactly that, with and without a CSRF token.

Domains add the URL values their endpoints need in ``tests/<domain>/matrix.py``: a function
``url_values(world) -> dict[endpoint, dict]`` that may create objects with the factories.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import ROLES, log_in

HERE = Path(__file__).resolve().parent
NOT_CHECKED = {"static"}


def domain_url_values(world) -> dict[str, dict]:
    values: dict[str, dict] = {}
    for path in sorted(HERE.glob("*/matrix.py")):
        spec = importlib.util.spec_from_file_location(f"matrix_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        values.update(module.url_values(world))
    return values


def rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in NOT_CHECKED:
            continue
        yield rule


def test_every_endpoint_declares_an_access_rule(app):
    missing = [rule.endpoint for rule in rules(app) if not hasattr(app.view_functions[rule.endpoint], "access_rule")]
    assert not missing, f"endpoints without @access(...): {missing}"


def _build_url(app, rule, values):
    from flask import url_for

    kwargs = dict(values.get(rule.endpoint, {}))
    missing = set(rule.arguments) - set(kwargs)
    assert not missing, f"{rule.endpoint} needs URL values {missing}: add them in tests/<domain>/matrix.py"
    with app.test_request_context():
        return url_for(rule.endpoint, **kwargs)


def _is_login_redirect(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_as_declared(app, db, world, role):
    from youthcouncil.auth import roles_of

    values = domain_url_values(world)
    db.session.commit()
    user = world.users.get(role)
    failures = []
    for rule in rules(app):
        access_rule = app.view_functions[rule.endpoint].access_rule
        url = _build_url(app, rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            client = app.test_client()
            if user is not None:
                log_in(client, user)
                user_roles = roles_of(user)
                del user._roles_cache
            else:
                user_roles = frozenset()
            allowed = (
                access_rule.public
                or (user is not None and access_rule.any_user)
                or bool(access_rule.roles & user_roles)
            )
            if method == "GET":
                attempts = [("GET", client.get(url))]
            else:
                attempts = [
                    ("POST without CSRF", client.post(url, data={})),
                    ("POST with CSRF", client.post(url, data={"csrf_token": client.csrf_token()})),
                ]
            for label, response in attempts:
                status = response.status_code
                if label == "POST without CSRF":
                    ok = status == 400
                    expected = "400 (CSRF refused)"
                elif allowed:
                    ok = status < 500 and status not in (401, 403) and not _is_login_redirect(response)
                    expected = "allowed (no 403/401/500, no login redirect)"
                elif user is None:
                    ok = _is_login_redirect(response)
                    expected = "a redirect to the login page"
                else:
                    ok = status == 403
                    expected = "403"
                if not ok:
                    failures.append(f"{label} {url} ({rule.endpoint}) as {role}: got {status}, expected {expected}")
    assert not failures, "\n".join(failures)


def _snapshot(db) -> dict[str, list]:
    import sqlalchemy as sa

    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(sa.select(table)).all())) for table in db.metadata.sorted_tables
    }


def test_no_get_request_changes_the_database(app, db, world):
    """Every page any role can open by GET leaves every row of every table as it was."""
    values = domain_url_values(world)
    db.session.commit()
    before = _snapshot(db)
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world.users[role])
        for rule in rules(app):
            if "GET" in rule.methods:
                client.get(_build_url(app, rule, values))
    after = _snapshot(db)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"GET requests changed these tables: {changed}"
