"""The coordinator decides from the review queue: age band and consent status are there, approve and reject work in
place with htmx and, without JavaScript, by posting the same forms and landing on the queue again."""

from __future__ import annotations

import re

import pytest

from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.membership.models import Nomination, NominationStatus

QUEUE = "/membership/nominations"


@pytest.fixture
def queue(db, world, in_request):
    term = make_open_term(world.municipality)
    rep = world.users["school_rep"]
    young = make_nomination(term, world.schools[0], rep, first_name="Lita", age=12)
    older = make_nomination(term, world.schools[0], rep, first_name="Ola", age=16)
    db.session.commit()
    return young, older


def _item(html: str, nomination_id: int) -> str:
    match = re.search(rf'<li class="card nomination" id="queue-{nomination_id}">(.*?)</li>', html, re.S)
    assert match, html
    return match.group(1)


def test_the_queue_shows_age_band_and_consent(client, login_as, queue):
    young, older = queue
    login_as("coordinator")
    html = client.get(QUEUE).get_data(as_text=True)
    lita, ola = _item(html, young.id), _item(html, older.id)
    assert "10–12" in lita and "Nødvendig (under 15), ikke registrert ennå" in lita
    assert "15–17" in ola and "Ikke nødvendig (15 år eller eldre)" in ola
    assert f'hx-post="/membership/nominations/{older.id}/approve"' in ola
    assert f'hx-target="#queue-{older.id}"' in ola
    assert f'id="n{young.id}-reason"' in lita and f'id="n{older.id}-reason"' in ola  # ids unique on the page


def test_approve_and_reject_in_place_with_htmx(db, client, login_as, queue):
    young, older = queue
    login_as("coordinator")
    headers = {
        "HX-Request": "true",
        "HX-Target": f"queue-{older.id}",
        "HX-Current-URL": "http://localhost/membership/nominations",
    }
    response = client.submit(
        f"/membership/nominations/{older.id}/approve", {"back": "queue"}, page=QUEUE, headers=headers
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(
        f'<li class="card nomination" id="queue-{older.id}">'
    )
    assert "Ola Kandidat er godkjent og har fått en konto." in html and "<html" not in html
    db.session.expire_all()
    assert db.session.get(Nomination, older.id).status == NominationStatus.approved
    # The flash is not left behind for the next page.
    assert "er godkjent" not in client.get(QUEUE).get_data(as_text=True)

    headers["HX-Target"] = f"queue-{young.id}"
    url = f"/membership/nominations/{young.id}/reject"
    empty = client.submit(url, {"back": "queue", f"n{young.id}-reason": ""}, page=QUEUE, headers=headers)
    html = empty.get_data(as_text=True)
    assert f'id="n{young.id}-reason-error"' in html and "<html" not in html
    db.session.expire_all()
    assert db.session.get(Nomination, young.id).status == NominationStatus.pending
    done = client.submit(url, {"back": "queue", f"n{young.id}-reason": "For ung i år."}, page=QUEUE, headers=headers)
    assert "ikke godkjent" in done.get_data(as_text=True)
    db.session.expire_all()
    nomination = db.session.get(Nomination, young.id)
    assert nomination.status == NominationStatus.rejected and nomination.rejection_reason == "For ung i år."


def test_without_javascript_the_same_forms_lead_back_to_the_queue(db, client, login_as, queue):
    young, older = queue
    login_as("coordinator")
    response = client.submit(f"/membership/nominations/{older.id}/approve", {"back": "queue"}, page=QUEUE)
    assert response.status_code == 303 and response.headers["Location"].endswith(QUEUE)
    page = client.get(QUEUE).get_data(as_text=True)
    assert "Ola Kandidat er godkjent" in page  # the flash
    assert f'id="queue-{older.id}"' not in page  # no longer waiting
    url = f"/membership/nominations/{young.id}/reject"
    # A missing reason: the reject page with the message next to the field, the reason field still the queue's.
    missing = client.submit(url, {"back": "queue", f"n{young.id}-reason": ""}, page=QUEUE)
    html = missing.get_data(as_text=True)
    assert missing.status_code == 200 and f'id="n{young.id}-reason-error"' in html
    assert '<input type="hidden" name="back" value="queue">' in html
    response = client.submit(url, {"back": "queue", f"n{young.id}-reason": "For ung i år."}, page=QUEUE)
    assert response.status_code == 303 and response.headers["Location"].endswith(QUEUE)
    db.session.expire_all()
    assert db.session.get(Nomination, young.id).status == NominationStatus.rejected
    # From the school's page, the old way still returns there.
    assert "Ingen nominasjoner venter." in client.get(QUEUE).get_data(as_text=True)
