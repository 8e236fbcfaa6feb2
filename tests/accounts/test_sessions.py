"""Session lifetimes, passphrase change, cookie flags."""

from datetime import timedelta

from tests.conftest import log_in
from tests.factories import PASSPHRASE
from youthcouncil.db import utcnow


def _age_session(client, *, login_ago: timedelta, seen_ago: timedelta) -> None:
    now = utcnow()
    with client.session_transaction() as session:
        session["login_at"] = (now - login_ago).isoformat()
        session["seen_at"] = (now - seen_ago).isoformat()


def test_staff_are_logged_out_after_30_minutes_idle(client, world):
    log_in(client, world.coordinator)
    _age_session(client, login_ago=timedelta(minutes=31), seen_ago=timedelta(minutes=29))
    assert client.get("/home").status_code == 200
    _age_session(client, login_ago=timedelta(minutes=40), seen_ago=timedelta(minutes=31))
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_members_are_not_logged_out_for_being_idle_but_after_12_hours(client, world):
    log_in(client, world.users["member"])
    _age_session(client, login_ago=timedelta(hours=11), seen_ago=timedelta(hours=5))
    assert client.get("/home").status_code == 200
    _age_session(client, login_ago=timedelta(hours=12, minutes=1), seen_ago=timedelta(minutes=1))
    assert client.get("/home").status_code == 302


def test_change_passphrase_keeps_this_device_and_logs_out_others(app, world):
    this, other = app.test_client(), app.test_client()
    for device in (this, other):
        device.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    response = this.submit(
        "/passphrase", {"current": PASSPHRASE, "new": "sommerferie på hytta", "confirm": "sommerferie på hytta"}
    )
    assert response.status_code == 303
    assert this.get("/home").status_code == 200
    assert other.get("/home").status_code == 302
    fresh = app.test_client()
    assert (
        fresh.submit("/login", {"username": "mia", "passphrase": "sommerferie på hytta"}, page="/login").status_code
        == 303
    )


def test_change_passphrase_explains_mistakes(client, world):
    log_in(client, world.users["member"])
    wrong = client.submit("/passphrase", {"current": "feil feil feil", "new": "sommerferie", "confirm": "sommerferie"})
    assert "Det er ikke passordet du har nå." in wrong.get_data(as_text=True)
    short = client.submit("/passphrase", {"current": PASSPHRASE, "new": "kort", "confirm": "kort"})
    assert "Bruk minst 8 tegn" in short.get_data(as_text=True)
    own_name = client.submit("/passphrase", {"current": PASSPHRASE, "new": "mia er best", "confirm": "mia er best"})
    assert "Ikke bruk brukernavnet ditt" in own_name.get_data(as_text=True)


def test_session_cookie_flags(client, world):
    response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("yc_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development


def test_secure_cookie_and_hsts_when_served_over_https(tmp_path, monkeypatch):
    from youthcouncil import create_app
    from youthcouncil.config import TestConfig

    monkeypatch.setenv("HTTPS", "1")
    app = create_app(TestConfig(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", instance_path=str(tmp_path)))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        from youthcouncil.extensions import db

        db.create_all()
        response = app.test_client().get("/login", base_url="https://localhost")
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        cookie = response.headers.get("Set-Cookie", "")
        assert "Secure" in cookie
        db.session.remove()
        db.engine.dispose()


def test_a_form_sent_after_the_session_ended_leads_back_to_its_page_after_logging_in(client, db, world):
    """Logged out on another device (or after 12 hours) while writing: logging in again leads back to the page the
    form was on, not to the address the form posted to (which only takes POSTs: "That did not work")."""
    from tests.consultations.builders import make_opened
    from youthcouncil.accounts.services import log_out_everywhere

    consultation = make_opened(world)
    db.session.commit()
    member = world.users["member"]
    page = f"/consultations/{consultation.id}"
    for end_session in ("another device", "12 hours"):
        log_in(client, member)
        token = client.csrf_token(page)
        assert member.session_token not in client.get(page).get_data(as_text=True)  # the page names its writer by id
        if end_session == "another device":
            log_out_everywhere(member)
            db.session.commit()
        else:
            _age_session(client, login_ago=timedelta(hours=12, minutes=1), seen_ago=timedelta(minutes=1))
        sent = client.post(
            f"{page}/comments",
            data={"body": "Hei", "csrf_token": token},
            headers={"Referer": f"http://localhost{page}"},
        )
        assert sent.status_code == 302 and sent.headers["Location"].startswith("/login"), end_session
        login_page = client.get(sent.headers["Location"])
        assert login_page.status_code == 200
        back = client.post(
            sent.headers["Location"],
            data={"username": member.username, "passphrase": PASSPHRASE, "csrf_token": client.csrf_token("/login")},
        )
        assert back.status_code == 303 and back.headers["Location"] == page, end_session
        assert client.get(back.headers["Location"]).status_code == 200
        client.post("/logout", data={"csrf_token": client.csrf_token(page)})
