"""Guessing stays throttled, but a stranger cannot lock a member out and one pupil cannot lock out a school.

Each test runs on the in-memory counters and on a real Redis (the ``throttle_storage`` fixture).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import PASSPHRASE, make_member
from youthcouncil.accounts import devices

SCHOOL = "192.0.2.10"  # a school network: every pupil's phone shows this address
HOME = "198.51.100.5"
ELSEWHERE = "203.0.113.77"
WRONG = "feil feil feil"
TOO_MANY = "For mange forsøk"


@pytest.fixture
def pupils(db, world):
    """medlem05 and medlem06 go to the same school."""
    five = make_member(world.term, world.schools[0], first_name="Frida", username="medlem05")
    six = make_member(world.term, world.schools[0], first_name="Jonas", username="medlem06")
    db.session.commit()
    return five, six


def _known_phone(visitor, username: str, address: str = HOME):
    """A phone where ``username`` logged in before (and logged out again): it holds a device cookie."""
    phone = visitor(address)
    assert phone.log_in(username).status_code == 303
    assert phone.log_out().status_code == 303
    assert phone.client.get_cookie(devices.COOKIE_NAME) is not None
    return phone


def _hammer(attacker, username: str, times: int) -> list[int]:
    return [attacker.log_in(username, f"{WRONG} {i}").status_code for i in range(times)]


@pytest.mark.usefixtures("throttle_storage")
def test_an_attacker_at_school_neither_locks_out_the_member_on_her_phone_nor_the_school(visitor, pupils):
    phone = _known_phone(visitor, "medlem05")
    attacker = visitor(SCHOOL)
    statuses = _hammer(attacker, "medlem05", 30)
    # The attacker is throttled: 10 wrong guesses are checked, the other 20 are refused unchecked.
    assert statuses == [200] * 10 + [429] * 20
    # medlem05 on her phone gets in, even on the school network.
    phone.address = SCHOOL
    assert phone.log_in("medlem05").status_code == 303
    # medlem06 on a new phone at the same school gets in: one pupil did not block the school's address.
    assert visitor(SCHOOL).log_in("medlem06").status_code == 303
    # A new device of medlem05 waits on that address, but not elsewhere: one address cannot lock the account.
    refused = visitor(SCHOOL).log_in("medlem05")
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    assert visitor(ELSEWHERE).log_in("medlem05").status_code == 303


@pytest.mark.usefixtures("throttle_storage")
def test_guessing_from_many_addresses_locks_new_devices_out_but_not_known_ones(visitor, pupils):
    phone = _known_phone(visitor, "medlem05")
    statuses = [visitor(f"192.0.2.{100 + i}").log_in("medlem05", WRONG).status_code for i in range(21)]
    assert statuses == [200] * 20 + [429]
    assert visitor(ELSEWHERE).log_in("medlem05").status_code == 429
    assert phone.log_in("medlem05").status_code == 303
    # Other accounts are not touched.
    assert visitor(ELSEWHERE).log_in("medlem06").status_code == 303


@pytest.mark.usefixtures("throttle_storage")
def test_a_known_device_has_its_own_lockout(visitor, pupils):
    phone = _known_phone(visitor, "medlem05")
    laptop = _known_phone(visitor, "medlem05")
    assert _hammer(phone, "medlem05", 10) == [200] * 10
    assert phone.log_in("medlem05").status_code == 429  # the right passphrase, but this device waits now
    assert laptop.log_in("medlem05").status_code == 303
    # The device's failures do not count for the account: a new device elsewhere still gets in.
    assert visitor(ELSEWHERE).log_in("medlem05").status_code == 303


@pytest.mark.usefixtures("throttle_storage")
def test_a_device_cookie_of_one_member_does_not_make_the_device_known_for_another(visitor, pupils):
    shared_tablet = _known_phone(visitor, "medlem06", address=SCHOOL)
    assert _hammer(shared_tablet, "medlem05", 11) == [200] * 10 + [429]
    # The tablet is still known for medlem06.
    assert shared_tablet.log_in("medlem06").status_code == 303


@pytest.mark.usefixtures("throttle_storage")
def test_a_school_address_holds_many_pupils_mistakes_but_not_a_spraying_client(app, visitor, pupils, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "25 per 15 minutes")  # 200 by default; README
    phone = _known_phone(visitor, "medlem05")
    # 8 pupils at one school typing their passphrase wrong twice: nobody waits.
    for i in range(8):
        assert [visitor(SCHOOL).log_in(f"elev{i}", WRONG).status_code for _ in range(2)] == [200, 200]
    # One client trying many usernames fills the address's counter: new devices at the school wait ...
    assert [visitor(SCHOOL).log_in(f"gjett{i}", WRONG).status_code for i in range(10)] == [200] * 9 + [429]
    assert visitor(SCHOOL).log_in("medlem06").status_code == 429
    # ... but phones where members logged in before still get in there, and other addresses are not touched.
    phone.address = SCHOOL
    assert phone.log_in("medlem05").status_code == 303
    assert visitor(ELSEWHERE).log_in("medlem06").status_code == 303


@pytest.mark.usefixtures("throttle_storage")
def test_right_passphrases_never_count(visitor, pupils):
    for _ in range(12):
        school_phone = visitor(SCHOOL)
        assert school_phone.log_in("medlem05").status_code == 303
        assert school_phone.log_out().status_code == 303


def _at_once(app, count: int, send) -> list[int]:
    """``count`` threads run ``send(i)``, a generator that loads its page, yields, then yields its POST's status;
    the POSTs leave together."""
    barrier = threading.Barrier(count)

    def run(i: int) -> int:
        with app.app_context():
            prepared = send(i)
            next(prepared)
            barrier.wait()
            return next(prepared)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.usefixtures("throttle_storage")
def test_32_guesses_at_the_same_moment_get_exactly_10_checks(app, db, visitor, pupils):
    def guess(i: int):
        browser = visitor(SCHOOL)
        token = browser.client.csrf_token("/login")
        yield
        data = {"username": "medlem05", "passphrase": f"{WRONG} {i}", "csrf_token": token}
        yield browser.client.post("/login", data=data, environ_base={"REMOTE_ADDR": SCHOOL}).status_code

    assert sorted(_at_once(app, 32, guess)) == [200] * 10 + [429] * 22


@pytest.mark.usefixtures("throttle_storage")
def test_32_wrong_codes_at_the_same_moment_from_one_browser_get_exactly_10_checks(app, db, world, visitor):
    browser = visitor(SCHOOL)
    token = browser.client.csrf_token("/activate")
    session_cookie = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    def guess(i: int):
        tab = visitor(SCHOOL)  # one browser: the same session cookie in every tab
        tab.client.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie)
        yield
        data = {**_activation(f"AAAA-BBBB-{'CDEFGHJKMNPQRSTWXYZ23456789'[i % 27]}CCC"), "csrf_token": token}
        yield tab.client.post("/activate", data=data, environ_base={"REMOTE_ADDR": SCHOOL}).status_code

    assert sorted(_at_once(app, 32, guess)) == [200] * 10 + [429] * 22


def _activation(code: str, passphrase: str = "sol og vind", confirm: str | None = None) -> dict:
    return {"code": code, "passphrase": passphrase, "confirm": passphrase if confirm is None else confirm}


@pytest.mark.usefixtures("throttle_storage")
def test_one_pupil_guessing_codes_does_not_lock_out_the_class(app, db, world, visitor, monkeypatch):
    from youthcouncil.accounts.services import issue_activation_code

    monkeypatch.setitem(app.config, "ACTIVATION_ATTEMPT_LIMIT", "40 per 15 minutes")  # 300 by default; README
    newcomers = [make_member(world.term, world.schools[i % 2], activated=False) for i in range(12)]
    codes = [issue_activation_code(user).code for user in newcomers]
    db.session.commit()
    guesser = visitor(SCHOOL)
    wrong = [guesser.post("/activate", _activation("AAAA-BBBB-CCCC"), page="/activate").status_code for _ in range(12)]
    assert wrong == [200] * 10 + [429] * 2
    # The class on the same network: each child types the code wrong once, then right; everyone gets in.
    for code in codes:
        child = visitor(SCHOOL)
        assert child.post("/activate", _activation("AAAA-BBBB-DDDD"), page="/activate").status_code == 200
        assert child.post("/activate", _activation(code), page="/activate").status_code == 303
    # 10 + 12 wrong codes so far; a script that starts a new browser for every guess meets the address's limit.
    script = [visitor(SCHOOL).post("/activate", _activation("AAAA-BBBB-CCCC"), page="/activate") for _ in range(19)]
    assert [response.status_code for response in script] == [200] * 18 + [429]
    assert visitor(ELSEWHERE).post("/activate", _activation("AAAA-BBBB-CCCC"), page="/activate").status_code == 200


@pytest.mark.usefixtures("throttle_storage")
def test_a_right_code_with_a_weak_passphrase_is_not_a_wrong_guess(db, world, visitor):
    from youthcouncil.accounts.services import issue_activation_code

    newcomer = make_member(world.term, world.schools[0], activated=False)
    code = issue_activation_code(newcomer).code
    db.session.commit()
    child = visitor(SCHOOL)
    for _ in range(15):
        assert child.post("/activate", _activation(code, "kort"), page="/activate").status_code == 200
    assert child.post("/activate", _activation(code), page="/activate").status_code == 303
    # Activating made this browser a known device: it gets in while the account is locked for others.
    assert child.log_out().status_code == 303
    statuses = [visitor(f"192.0.2.{i}").log_in(newcomer.username, WRONG).status_code for i in range(21)]
    assert statuses == [200] * 20 + [429]
    assert child.log_in(newcomer.username, "sol og vind").status_code == 303


@pytest.mark.usefixtures("throttle_storage")
def test_guessing_the_current_passphrase_is_limited_per_session_and_per_account(app, visitor, pupils):
    def change(browser, current: str):
        new = "ny og fin frase"
        return browser.post("/passphrase", {"current": current, "new": new, "confirm": new}, page="/passphrase")

    sessions = []
    for _ in range(3):
        browser = visitor(SCHOOL)
        assert browser.log_in("medlem05").status_code == 303
        sessions.append(browser)
    thief, other, third = sessions
    assert [change(thief, WRONG).status_code for _ in range(11)] == [200] * 10 + [429]
    # The member's other session is not locked by the thief's guesses ...
    assert [change(other, WRONG).status_code for _ in range(10)] == [200] * 10
    # ... but the account as a whole is capped at 20 wrong guesses.
    assert change(third, PASSPHRASE).status_code == 429
    # A mistake in the new passphrase is not a wrong guess.
    fresh = visitor(ELSEWHERE)
    app.extensions["yc_throttle"].reset()
    assert fresh.log_in("medlem05").status_code == 303
    for _ in range(12):
        short = fresh.post("/passphrase", {"current": PASSPHRASE, "new": "kort", "confirm": "kort"}, page="/passphrase")
        assert short.status_code == 200


def test_while_the_shared_storage_is_down_no_passphrase_is_checked(app, client, world, monkeypatch):
    from limits.storage import storage_from_string

    monkeypatch.setitem(
        app.extensions, "yc_throttle", storage_from_string("redis://127.0.0.1:1/0", wrap_exceptions=True)
    )
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    client.set_cookie("yc_lang", "en")
    response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert response.status_code == 503 and "try again in a minute" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302  # not logged in
