"""Whatever a client posts to login, activation or passphrase change, the answer is never a server error."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import log_in

FORMS = {
    "/login": ("username", "passphrase", "next"),
    "/activate": ("code", "passphrase", "confirm"),
    "/passphrase": ("current", "new", "confirm"),
}
NASTY = ["\x00", "mia\x00", "²²²²-²²²²-²²²²", "x" * 5000, " ", "ﬀ", "İ", "\ud7ff", "abcd-efgh-jkmn\x00", "../../etc"]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.lists(st.text(max_size=20), min_size=2, max_size=3),
)
json_bodies = st.one_of(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=8,
    ),
    st.fixed_dictionaries(
        {name: st.one_of(st.integers(), st.none(), st.lists(st.integers())) for name in FORMS["/login"]}
    ),
)


def _token_for(client, world, url: str) -> str:
    """The passphrase form is for a logged-in member; login and activation for a visitor."""
    if url == "/passphrase":
        log_in(client, world.users["member"])
    return client.csrf_token(url)


@pytest.mark.parametrize("url", FORMS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_form_posts_never_give_a_server_error(client, world, url, data):
    token = _token_for(client, world, url)
    fields = {name: data.draw(values, label=name) for name in FORMS[url]}
    response = client.post(url, data={**fields, "csrf_token": token})
    # A NUL byte in a field's text is never accepted: the form is shown again with a message next to the field.
    has_nul = any(
        "\x00" in value for field in fields.values() for value in ([field] if isinstance(field, str) else field)
    )
    allowed = (200, 422, 429) if has_nul else (200, 302, 303, 429)
    assert response.status_code in allowed, (url, fields, response.status_code)


@pytest.mark.parametrize("url", FORMS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_bodies)
def test_json_bodies_get_the_forms_messages(client, world, url, body):
    token = _token_for(client, world, url)
    response = client.post(url, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code in (200, 302, 303), (url, body, response.status_code)
