"""The pages show a consultation's deadline as a day (no time of day), so it is flagged overdue only once that day has
ended in Oslo: at 23:59:30 Oslo time on the deadline day it says "deadline today", a minute later "overdue". Checked in
winter time (UTC+1) and summer time (UTC+2), with the request sent through the clerk's form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import log_in
from tests.consultations.builders import request_form
from youthcouncil.consultations import panels, services, views
from youthcouncil.consultations.models import Consultation


def _at(monkeypatch, moment: datetime) -> None:
    """Let the consultation pages and rules believe it is ``moment`` (UTC)."""
    for module in (views, services, panels):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


@pytest.mark.parametrize(
    ("deadline", "sent", "last_second", "next_day"),
    [
        # Winter time: Oslo is UTC+1, the day ends at 23:00 UTC.
        (
            date(2027, 1, 15),
            datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
            datetime(2027, 1, 15, 22, 59, 30, tzinfo=UTC),
            datetime(2027, 1, 15, 23, 0, 30, tzinfo=UTC),
        ),
        # Summer time: Oslo is UTC+2, the day ends at 22:00 UTC.
        (
            date(2027, 7, 15),
            datetime(2027, 6, 1, 10, 0, tzinfo=UTC),
            datetime(2027, 7, 15, 21, 59, 30, tzinfo=UTC),
            datetime(2027, 7, 15, 22, 0, 30, tzinfo=UTC),
        ),
    ],
)
def test_overdue_only_once_the_day_shown_has_ended_in_oslo(
    client, db, world, monkeypatch, deadline, sent, last_second, next_day
):
    _at(monkeypatch, sent)
    log_in(client, world.clerk)
    response = client.submit("/consultations/new", request_form(deadline), page="/consultations/new")
    assert response.status_code == 303, response.get_data(as_text=True)
    consultation = db.session.scalars(sa.select(Consultation)).one()
    shown = f"{deadline.day}. {'januar' if deadline.month == 1 else 'juli'} {deadline.year}"

    _at(monkeypatch, last_second)  # 23:59:30 in Oslo on the deadline day
    for user in (world.clerk, world.users["member"]):
        log_in(client, user)
        page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
        assert shown in page
        assert "Fristen er i dag" in page and "Fristen er ute" not in page, user.first_name
        listing = client.get("/consultations/").get_data(as_text=True)
        assert "Fristen er i dag" in listing and "Fristen er ute" not in listing
        home = client.get("/home").get_data(as_text=True)
        assert "Fristen er i dag" in home and "Fristen er ute" not in home

    _at(monkeypatch, next_day)  # 00:00:30 in Oslo the day after
    for user in (world.clerk, world.users["member"]):
        log_in(client, user)
        page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
        assert "Fristen er ute" in page and "Fristen er i dag" not in page, user.first_name
        listing = client.get("/consultations/").get_data(as_text=True)
        assert "Fristen er ute" in listing
        assert "Fristen er ute" in client.get("/home").get_data(as_text=True)
