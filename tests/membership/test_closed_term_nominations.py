"""Closing a term ends its pending nominations: they are rejected with the reason that the term was closed (the school
rep sees it), one audit event each, and the coordinator's review queue lists only nominations of open terms (approving
one of a closed term could never succeed)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.membership.builders import make_nomination
from youthcouncil.audit import AuditEvent
from youthcouncil.db import utcnow
from youthcouncil.membership.models import Nomination, NominationStatus, Term

QUEUE = "/membership/nominations"


def test_closing_a_term_rejects_its_pending_nominations_with_a_reason_the_rep_sees(
    db, client, login_as, world, term, in_request
):
    rep = world.users["school_rep"]
    waiting = make_nomination(term, world.schools[0], rep, first_name="Lita", age=16)
    decided = make_nomination(term, world.schools[0], rep, first_name="Ola", age=16)
    db.session.commit()
    coordinator = login_as("coordinator")
    approve = client.submit(f"/membership/nominations/{decided.id}/approve", {"back": "queue"}, page=QUEUE)
    assert approve.status_code == 303
    assert f'id="queue-{waiting.id}"' in client.get(QUEUE).get_data(as_text=True)

    url = f"/membership/terms/{term.id}/close"
    asked = client.submit(url, {}, page=f"/membership/terms/{term.id}").get_data(as_text=True)
    assert "1 nominasjon som venter, blir avvist fordi valgperioden avsluttes" in asked
    response = client.submit(url, {"confirm": "y"}, page=f"/membership/terms/{term.id}")
    assert response.status_code == 303

    db.session.expire_all()
    ended, approved = db.session.get(Nomination, waiting.id), db.session.get(Nomination, decided.id)
    assert ended.status == NominationStatus.rejected and approved.status == NominationStatus.approved
    assert ended.rejection_reason == "Valgperioden ble avsluttet før nominasjonen ble avgjort."
    assert ended.decided_by_id == coordinator.id and ended.decided_at is not None
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "nomination.rejected", AuditEvent.subject_id == waiting.id)
    ).all()
    assert [e.details.get("reason") for e in events] == ["term_closed"]
    closed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "term.closed")).one()
    assert closed.details["nominations_ended"] == 1
    # Nothing of the closed term is left as work in the queue or on the home page.
    assert f'id="queue-{waiting.id}"' not in client.get(QUEUE).get_data(as_text=True)
    # The rep who made it sees it ended, and why.
    login_as("school_rep")
    overview = client.get(QUEUE).get_data(as_text=True)
    closed_section = overview.split("<h2>Avsluttede valgperioder</h2>", 1)[1]
    assert f'href="/membership/terms/{term.id}/schools/{world.schools[0].id}"' in closed_section
    page = client.get(f"/membership/terms/{term.id}/schools/{world.schools[0].id}").get_data(as_text=True)
    assert "Valgperioden ble avsluttet før nominasjonen ble avgjort." in page


def test_the_queue_lists_no_pending_nomination_of_a_closed_term(db, client, login_as, world, term, in_request):
    """Pending nominations of a term closed before closing ended them (older data) are not work to do."""
    rep = world.users["school_rep"]
    nomination = make_nomination(term, world.schools[0], rep, first_name="Lita", age=16)
    db.session.commit()
    login_as("coordinator")
    assert f'id="queue-{nomination.id}"' in client.get(QUEUE).get_data(as_text=True)
    assert 'id="membership-panel"' in client.get("/home").get_data(as_text=True)
    db.session.get(Term, term.id).closed_at = utcnow()
    db.session.commit()
    assert f'id="queue-{nomination.id}"' not in client.get(QUEUE).get_data(as_text=True)
    assert 'id="membership-panel"' not in client.get("/home").get_data(as_text=True)
