"""Links that leave the site (QR codes, e-mails, notifications) come from one helper and one setting."""

from __future__ import annotations

import functools
import re
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa

from tests.consultations.builders import make_opened
from tests.factories import make_user
from youthcouncil.accounts.qr import activation_link
from youthcouncil.consultations.notices import deadline_reminders
from youthcouncil.db import utcnow
from youthcouncil.links import public_url, public_url_of, site_path
from youthcouncil.notifications.models import Notification, OutboxMessage

#: What a reverse proxy passes on as Host when it is not told to forward the public one.
PROXY_HOST = "127.0.0.1:8000"
CODE = re.compile(r'data-testid="activation-code">([A-Z0-9-]+)<')


@pytest.fixture
def public_base(app, monkeypatch):
    def set_to(url: str) -> None:
        monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", url)

    set_to("")
    return set_to


@pytest.fixture
def behind_proxy(client, monkeypatch):
    """Every request of the client arrives with the Host header a proxy passes on (its cookies follow that host)."""
    for name in ("open", "session_transaction"):
        method = getattr(client, name)
        monkeypatch.setattr(client, name, functools.partial(method, base_url=f"http://{PROXY_HOST}/"))
    return client


def _new_code_page(client, world) -> str:
    account = world.users["clerk"]
    response = client.submit(f"/accounts/{account.id}/code", {"confirm": "y"}, page=f"/accounts/{account.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "base, expected",
    [
        ("https://ungdomsrad.example.no", "https://ungdomsrad.example.no/activate?code="),
        ("https://kommune.example.no/ungdomsrad/", "https://kommune.example.no/ungdomsrad/activate?code="),
    ],
)
def test_behind_a_proxy_the_qr_link_uses_the_public_address(behind_proxy, world, login_as, public_base, base, expected):
    login_as("coordinator")
    public_base(base)
    html = _new_code_page(behind_proxy, world)
    link = expected + CODE.search(html).group(1)
    assert f'src="{segno.make(link, error="m").svg_data_uri(scale=6, border=4)}"' in html
    assert expected.removesuffix("?code=") in html  # "Or go to …/activate", for typing it in
    assert PROXY_HOST not in html


def test_without_a_public_address_the_qr_link_is_where_the_request_came_in(behind_proxy, world, login_as, public_base):
    login_as("coordinator")
    html = _new_code_page(behind_proxy, world)
    link = f"http://{PROXY_HOST}/activate?code={CODE.search(html).group(1)}"
    assert f'src="{segno.make(link, error="m").svg_data_uri(scale=6, border=4)}"' in html


def test_outside_a_request_links_use_the_public_address_else_where_make_run_serves(app, public_base, monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert activation_link("ABCD-EFGH-JKMN") == "http://127.0.0.1:5000/activate?code=ABCD-EFGH-JKMN"
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "5111")
    assert public_url("consultations.consultation_detail", consultation_id=7) == "http://127.0.0.1:5111/consultations/7"
    assert site_path("consultations.consultation_detail", consultation_id=7) == "/consultations/7"
    public_base("https://ungdomsrad.example.no/app")
    assert activation_link("ABCD-EFGH-JKMN") == "https://ungdomsrad.example.no/app/activate?code=ABCD-EFGH-JKMN"
    assert site_path("safety_week.round_result", round_id=3) == "/app/safety-week/rounds/3/result"
    assert (
        public_url_of("/app/safety-week/rounds/3/result")
        == "https://ungdomsrad.example.no/app/safety-week/rounds/3/result"
    )


def test_a_reminder_written_outside_a_request_links_to_the_public_address(app, db, world, public_base):
    """Reminders are written by the notify worker, outside any request: the in-app link is a path inside the site,
    the e-mail carries the whole public address."""
    public_base("https://ungdomsrad.example.no")
    coordinator = make_user("coordinator", first_name="Kari", email="kari@example.org")
    consultation = make_opened(world, days=6)
    db.session.commit()
    deadline_reminders(utcnow() + timedelta(days=4))  # the 2-day reminder
    db.session.commit()
    note = db.session.scalars(
        sa.select(Notification).where(
            Notification.kind == "consultation.reminder", Notification.user_id == coordinator.id
        )
    ).one()
    assert note.link == f"/consultations/{consultation.id}"
    bodies = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.to_address == "kari@example.org"))
    assert any(f"https://ungdomsrad.example.no/consultations/{consultation.id}\n" in body for body in bodies)
