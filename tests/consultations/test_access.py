"""The shared access matrix, run over this domain's endpoints only (so it can be run while other domains grow)."""

import pytest

from tests.conftest import ROLES, log_in
from tests.consultations import matrix
from tests.test_access_matrix import _build_url, _is_login_redirect


@pytest.mark.parametrize("role", ROLES)
def test_consultation_endpoints_answer_each_role_as_declared(app, db, world, role):
    from youthcouncil.auth import roles_of

    values = matrix.url_values(world)
    db.session.commit()
    user = world.users.get(role)
    failures = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("consultations.")]
    assert len(rules) >= 20
    for rule in sorted(rules, key=lambda r: r.rule):
        access_rule = app.view_functions[rule.endpoint].access_rule
        url = _build_url(app, rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            client = app.test_client()
            user_roles = frozenset()
            if user is not None:
                log_in(client, user)
                user_roles = roles_of(user)
                del user._roles_cache
            allowed = access_rule.public or bool(access_rule.roles & user_roles)
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
                elif allowed:
                    ok = status < 500 and status not in (401, 403) and not _is_login_redirect(response)
                elif user is None:
                    ok = _is_login_redirect(response)
                else:
                    ok = status == 403
                if not ok:
                    failures.append(f"{label} {url} ({rule.endpoint}) as {role}: got {status}")
    assert not failures, "\n".join(failures)


def test_no_get_request_of_this_domain_changes_the_database(app, db, world):
    from tests.conftest import ROLES as roles
    from tests.test_access_matrix import _snapshot

    values = matrix.url_values(world)
    db.session.commit()
    before = _snapshot(db)
    for role in roles:
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world.users[role])
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("consultations.") and "GET" in rule.methods:
                client.get(_build_url(app, rule, values))
    after = _snapshot(db)
    assert [name for name in before if before[name] != after[name]] == []
