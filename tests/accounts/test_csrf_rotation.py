"""The CSRF token changes at login and at logout: a token seen before cannot make a change after."""

from __future__ import annotations

import re

from tests.conftest import count
from tests.factories import PASSPHRASE
from tests.safety_week import builders
from youthcouncil.safety_week.models import Ballot


def _idempotency_key(page: str) -> str:
    return re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)


def test_a_token_from_before_login_cannot_cast_a_vote_after_login(client, db, world):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    before = client.csrf_token("/login")
    login = client.post("/login", data={"username": "mia", "passphrase": PASSPHRASE, "csrf_token": before})
    assert login.status_code == 303
    url = f"/safety-week/rounds/{round_.id}/vote"
    vote = {"idempotency_key": _idempotency_key(client.get(url).get_data(as_text=True)), f"rank-{themes[0].id}": "1"}
    refused = client.post(url, data={**vote, "csrf_token": before})
    assert refused.status_code == 400
    assert count(db, Ballot) == 0
    accepted = client.post(url, data={**vote, "csrf_token": client.csrf_token(url)})
    assert accepted.status_code == 303
    assert count(db, Ballot) == 1


def test_a_token_from_before_activation_cannot_change_the_passphrase_after(client, db, world):
    from tests.factories import make_member
    from youthcouncil.accounts.services import issue_activation_code

    newcomer = make_member(world.term, world.schools[0], activated=False)
    code = issue_activation_code(newcomer).code
    db.session.commit()
    before = client.csrf_token("/activate")
    data = {"code": code, "passphrase": "sol og vind", "confirm": "sol og vind", "csrf_token": before}
    assert client.post("/activate", data=data).status_code == 303
    change = {"current": "sol og vind", "new": "regn og sludd", "confirm": "regn og sludd"}
    assert client.post("/passphrase", data={**change, "csrf_token": before}).status_code == 400
    assert client.submit("/passphrase", change, page="/passphrase").status_code == 303


def test_a_token_from_before_logout_is_refused_after_logout(client, world):
    assert client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login").status_code == 303
    logged_in = client.csrf_token("/home")
    assert client.post("/logout", data={"csrf_token": logged_in}).status_code == 303
    again = client.post("/login", data={"username": "mia", "passphrase": PASSPHRASE, "csrf_token": logged_in})
    assert again.status_code == 400
    assert client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login").status_code == 303
