"""Whatever a client sends, the answer is never a server error (issue 10, section 3).

Every role opens every page, collects every form it is shown, then posts generated junk to them with a valid CSRF
token: unicode, NUL bytes, huge and unicode-digit numbers, long text, several values for one field, missing fields,
JSON bodies. Junk ids go into every URL rule. A server error makes the request raise here (``PROPAGATE_TEST_ERRORS``),
so hypothesis reports the request that broke. Bounded by examples, never by time.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROLES, log_in
from tests.fuzz import (
    discover_forms,
    form_values,
    json_body,
    junk_path_value,
    junk_url,
    nasty_cases,
    page_urls,
    plausible_values,
    send,
)

#: Random examples per role (6 roles), and junk-id GETs. With the sweep (about 350 posts) and opening every page
#: as every role, about 30 s of CPU per backend.
POSTS_PER_ROLE = 40
GETS = 150

#: Forms already swept by an earlier role in this session (by action with the ids taken out, and field names).
_swept: set[tuple] = set()


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("role", ROLES)
def test_junk_posted_to_every_form_never_gives_a_server_error(app, db, world, role, monkeypatch):
    urls = page_urls(app, world)
    db.session.commit()
    user = world.users.get(role)
    forms = discover_forms(app, world, user, urls)
    assert len(forms) > 20, f"{role} found only {len(forms)} forms"
    client = app.test_client()
    tokens = []

    def token() -> str:
        """A valid token, also after a junk post ended the session (a passphrase change, a deactivation)."""
        if user is not None:
            log_in(client, user)
        with client.session_transaction() as session:
            has_secret = "csrf_token" in session
        if not tokens or not has_secret:
            tokens[:] = [client.csrf_token("/")]
        return tokens[0]

    # First a sweep: each field of each form this role is the first to see gets each value that once broke that
    # kind of field, the other fields plausible. All server errors are listed (their tracebacks are in the log).
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    failures = []
    for form in forms:
        key = (form.method, re.sub(r"\d+", "N", form.action), tuple(name for name, _ in form.fields))
        if key in _swept:
            continue
        _swept.add(key)
        for name, value in nasty_cases(form):
            response = send(client, form, token(), data={**plausible_values(form), name: [value]})
            if response.status_code >= 500:
                failures.append(f"{form.method} {form.action} {name}={value[:40]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", True)

    # Then random junk: hypothesis reports the request that raised, shrunk.
    @fuzz_settings(POSTS_PER_ROLE)
    @given(data=st.data())
    def post_junk(data):
        form = data.draw(st.sampled_from(forms), label="form")
        as_json = form.method == "POST" and data.draw(st.integers(0, 4), label="json?") == 0
        if as_json:
            response = send(client, form, token(), body=data.draw(json_body(form), label="body"))
        else:
            response = send(client, form, token(), data=data.draw(form_values(form), label="values"))
        assert response.status_code < 500, (form.action, response.status_code)

    post_junk()


def test_junk_ids_in_every_url_never_give_a_server_error(app, db, world):
    rules = [rule for rule in app.url_map.iter_rules() if rule.arguments and rule.endpoint != "static"]
    clients, tokens = {}, {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "anonymous":
            log_in(clients[role], world.users[role])
        tokens[role] = clients[role].csrf_token("/")

    @fuzz_settings(GETS)
    @given(role=st.sampled_from(ROLES), rule=st.sampled_from(rules), data=st.data())
    def get_junk(role, rule, data):
        url = junk_url(rule, {name: data.draw(junk_path_value, label=name) for name in sorted(rule.arguments)})
        if "GET" in rule.methods:
            response = clients[role].get(url)
        else:
            response = clients[role].post(url, data={"csrf_token": tokens[role]})
        assert response.status_code < 500, (url, response.status_code)

    get_junk()
