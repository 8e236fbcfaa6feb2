"""Builders for consultations in every step, made through the services."""

from __future__ import annotations

from datetime import date, timedelta

from youthcouncil.consultations import adoption, services
from youthcouncil.consultations.models import Consultation
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import to_oslo

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def request_form(deadline: date, **overrides) -> dict:
    """The clerk's request form as a browser posts it."""
    data = {
        "title": "Ny skatepark",
        "case_number": "2026/0412",
        "case_text": "Kommunen vurderer en skatepark.",
        "summary": "Kommunen vil lage en skatepark. Hva mener dere?",
        "questions": "",
        "deadline": deadline.isoformat(),
    }
    data.update(overrides)
    return data


class FakeFile:
    """Enough of werkzeug's FileStorage for the services."""

    def __init__(self, filename: str, content: bytes):
        import io

        self.filename = filename
        self.stream = io.BytesIO(content)


def make_request(clerk, *, title: str = "Ny skatepark", days: int = 30, files=(), **fields) -> Consultation:
    values = dict(
        case_number="2026/0001",
        case_text="Saken i sin helhet.",
        summary="Kommunen vil lage en skatepark. Hva mener dere?",
        questions="",
    )
    values.update(fields)
    consultation = services.create_request(
        clerk, title=title, deadline=to_oslo(utcnow()).date() + timedelta(days=days), files=files, **values
    )
    db.session.flush()
    return consultation


def make_opened(world, **kw) -> Consultation:
    consultation = make_request(world.clerk, **kw)
    services.open_request(consultation, world.chair)
    return consultation


def make_discussed(world, **kw) -> Consultation:
    consultation = make_opened(world, **kw)
    services.add_comment(consultation, world.users["member"], "Vi trenger lys om kvelden.")
    services.save_draft(consultation, world.chair, "Ungdomsrådet støtter skateparken.")
    return consultation


def make_voting(world, **kw):
    consultation = make_discussed(world, **kw)
    motion = adoption.open_adoption_vote(consultation, world.chair, consultation.latest_version)
    return consultation, motion


def make_adopted(world, *, yes: int | None = None, **kw) -> Consultation:
    from youthcouncil.motions.services import cast_vote, close_motion

    consultation, motion = make_voting(world, **kw)
    for member in world.members[: yes if yes is not None else len(world.members)]:
        cast_vote(motion, member, "yes")
    close_motion(motion, by=world.chair)
    return consultation


def make_sent(world, **kw) -> Consultation:
    consultation = make_adopted(world, **kw)
    services.send_response(consultation, world.chair)
    return consultation


def make_decided(world, **kw) -> Consultation:
    consultation = make_sent(world, **kw)
    services.record_city_decision(consultation, world.clerk, "Vedtatt.", "Forslaget ble brukt.")
    return consultation
