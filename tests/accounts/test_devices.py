"""Device cookies: bound to one account and its passphrase, unforgeable, limited in time and in number."""

from __future__ import annotations

import time

import pytest

from tests.factories import PASSPHRASE, make_member
from youthcouncil.accounts import devices
from youthcouncil.accounts.passphrases import hash_passphrase
from youthcouncil.accounts.services import issue_activation_code


def test_an_entry_is_valid_for_its_account_only(in_request, world):
    mia, leo = world.users["member"], world.users["chair"]
    cookie = devices.renewed("", mia)
    assert devices.known_device(cookie, mia) is not None
    assert devices.known_device(cookie, leo) is None
    assert devices.known_device(cookie, None) is None


def test_a_changed_tag_nonce_or_time_is_not_valid(in_request, world):
    mia = world.users["member"]
    nonce, issued, tag = devices.renewed("", mia).split(".")
    flipped = "A" if tag[0] != "A" else "B"
    assert devices.known_device(f"{nonce}.{issued}.{flipped}{tag[1:]}", mia) is None
    assert devices.known_device(f"{'x' * 22}.{issued}.{tag}", mia) is None
    assert devices.known_device(f"{nonce}.{int(issued) + 1}.{tag}", mia) is None
    assert devices.known_device(f"{nonce}.{issued}.{tag}", mia) == nonce


def test_an_entry_ends_after_its_lifetime(app, in_request, world, monkeypatch):
    mia = world.users["member"]
    cookie = devices.renewed("", mia)
    lifetime = app.config["DEVICE_COOKIE_LIFETIME"].total_seconds()
    now = time.time()
    monkeypatch.setattr(devices.time, "time", lambda: now + lifetime - 60)
    assert devices.known_device(cookie, mia) is not None
    monkeypatch.setattr(devices.time, "time", lambda: now + lifetime + 60)
    assert devices.known_device(cookie, mia) is None


def test_a_new_passphrase_or_a_new_code_ends_every_device(in_request, db, world):
    mia = world.users["member"]
    cookie = devices.renewed("", mia)
    mia.passphrase_hash = hash_passphrase("en helt ny frase")
    assert devices.known_device(cookie, mia) is None
    cookie = devices.renewed("", mia)
    issue_activation_code(mia)
    assert devices.known_device(cookie, mia) is None


def test_each_login_gets_a_new_nonce_and_a_shared_tablet_keeps_five_accounts(in_request, db, world):
    members = [make_member(world.term, world.schools[0]) for _ in range(6)]
    db.session.flush()
    first = devices.renewed("", members[0])
    again = devices.renewed(first, members[0])
    assert devices.known_device(again, members[0]) not in (None, devices.known_device(first, members[0]))
    assert len(again.split("~")) == 1
    cookie = ""
    for member in members:
        cookie = devices.renewed(cookie, member)
    assert len(cookie.split("~")) == devices.MAX_ENTRIES
    assert devices.known_device(cookie, members[0]) is None  # the oldest went
    assert all(devices.known_device(cookie, member) for member in members[1:])


@pytest.mark.parametrize("junk", ["", "~", "a.b.c", "x" * 10_000, "\x00", "æøå.1.2", "~".join(["a.1.b"] * 50)])
def test_junk_cookies_mean_an_unknown_device(in_request, world, junk):
    mia = world.users["member"]
    assert devices.known_device(junk, mia) is None
    assert devices.known_device(devices.renewed(junk, mia), mia) is not None


def test_the_device_cookie_is_http_only_and_lasts_its_lifetime(app, client, world):
    response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{devices.COOKIE_NAME}="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={int(app.config['DEVICE_COOKIE_LIFETIME'].total_seconds())}" in cookie
    # The cookie names nobody: no username or id in it.
    value = cookie.split(";")[0].partition("=")[2]
    assert "mia" not in value and f"{world.users['member'].id}|" not in value
