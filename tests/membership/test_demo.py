"""The demo data is made through the membership services: seat slots, offices, nominations in every state."""

import sqlalchemy as sa

from tests.conftest import count
from youthcouncil.audit import AuditEvent
from youthcouncil.membership.models import Membership, Nomination, NominationStatus, Office


def test_demo_has_nominations_in_every_state_and_seated_members(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    statuses = set(db.session.scalars(sa.select(Nomination.status)))
    assert statuses == set(NominationStatus)
    assert count(db, Membership, Membership.seat_slot.is_(None)) == 0
    assert count(db, Membership, Membership.office == Office.chair) == 1
    assert count(db, AuditEvent, AuditEvent.action == "membership.office_changed") == 2
    assert count(db, AuditEvent, AuditEvent.action == "nomination.approved") == 1
