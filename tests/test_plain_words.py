"""Words a 10-year-old reads without stumbling, numbers and times as a reader expects them (issue 13)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests.budget.builders import make_event, make_year, move_to
from tests.consultations.builders import FakeFile, make_adopted, make_request, make_voting
from tests.safety_week import builders as sw
from youthcouncil.i18n import file_size, format_moment
from youthcouncil.notifications.models import Notification

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "app.css"


def _notes(db, kind: str) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind)))


@pytest.mark.parametrize(
    ("size", "nb", "en"),
    [
        (597, "597 byte", "597 bytes"),
        (1_500, "1 kB", "1 kB"),
        (50_000, "49 kB", "49 kB"),
        (1_572_864, "1,5 MB", "1.5 MB"),
    ],
)
def test_file_sizes_are_never_zero_megabytes(app, size, nb, en):
    with app.test_request_context():
        with force_locale("nb"):
            assert file_size(size) == nb
        with force_locale("en"):
            assert file_size(size) == en


def test_an_attachment_of_597_bytes_is_listed_as_597_bytes(client, db, world):
    from tests.conftest import log_in

    consultation = make_request(world.clerk, files=[FakeFile("liten.pdf", b"%PDF-1.4\n" + b"x" * 588)])
    db.session.commit()
    log_in(client, world.clerk)
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "597 byte, PDF" in html and "0.0 MB" not in html and "0,0 MB" not in html


def test_dates_follow_the_readers_language_on_the_24_hour_clock(app):
    moment = datetime(2026, 12, 7, 16, 53, tzinfo=UTC)  # 17:53 in Oslo
    with app.test_request_context():
        with force_locale("en"):
            assert format_moment(moment, "short") == "Dec 7, 2026, 17:53"
        with force_locale("nb"):
            assert format_moment(moment, "short") == "7. des. 2026, 17:53"
            assert format_moment(moment, "d. MMMM y") == "7. desember 2026"


def test_an_english_page_shows_no_us_date_or_am_pm(client, db, world, login_as):
    round_, _themes = sw.voting_round(world)
    db.session.commit()
    login_as("member")
    client.set_cookie("yc_lang", "en")
    page = client.get("/home").get_data(as_text=True)
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}", page)
    assert not re.search(r"\d:\d\d\s?[AP]M", page)
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d", page)


def test_the_adoption_vote_has_a_plain_title_and_a_plain_badge(client, db, world, login_as):
    consultation, motion = make_voting(world, title="Bussruter til ungdomsklubben")
    db.session.commit()
    login_as("member")
    html = client.get(f"/motions/{motion.id}").get_data(as_text=True)
    assert "Skal vi sende dette svaret om «Bussruter til ungdomsklubben»?" in html
    assert "Vedta versjon" not in html
    assert "Navngitt avstemning" in html and "Åpen avstemning" not in html


def test_a_closed_vote_no_longer_calls_to_action(client, db, world, login_as):
    make_adopted(world, title="Bussruter til ungdomsklubben")
    db.session.commit()
    notes = _notes(db, "consultation.vote")
    assert notes, "the council was told to vote"
    assert all(note.is_read for note in notes)  # no longer counted as new
    login_as("member")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Avstemningen om svaret til «Bussruter til ungdomsklubben» er ferdig." in page
    assert "Stem nå" not in page


def test_the_budget_reminder_is_retired_when_voting_closes(db, world):
    from youthcouncil.budget import notices
    from youthcouncil.budget.models import Phase
    from youthcouncil.budget.outcome import close_voting

    year = make_year(Phase.voting, name="Budsjett 2027")
    make_event(year, 1_000)
    db.session.flush()
    notices.draft_unsubmitted(year, world.users["member"].id, last_day=True)
    db.session.flush()
    assert "Send inn stemmen min" in _notes(db, "budget.draft_unsubmitted")[0].text
    move_to(year, Phase.voting_ended)
    close_voting(year)
    db.session.flush()
    note = _notes(db, "budget.draft_unsubmitted")[0]
    assert note.is_read and note.text == "Budsjettavstemningen «Budsjett 2027» er ferdig."


@pytest.mark.parametrize(
    ("title", "heading"), [("Trygghetsuka 2026", "Trygghetsuka 2026"), ("Vær trygg", "Trygghetsuka: Vær trygg")]
)
def test_the_home_panel_names_the_safety_week_once(client, db, world, login_as, title, heading):
    round_, _themes = sw.voting_round(world)
    round_.title = title
    db.session.commit()
    login_as("member")
    html = client.get("/home").get_data(as_text=True)
    assert f"<h2>{heading}</h2>" in html


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out_on_white_and_on_the_blue_header():
    css = CSS.read_text()
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    assert ":focus-visible { outline: 3px solid var(--focus)" in css
    assert _contrast(variables["focus"], "#ffffff") >= 3 and _contrast(variables["focus"], variables["wash"]) >= 3
    assert ".site-header :focus-visible" in css and _contrast(variables["focus-on-brand"], variables["brand"]) >= 3


def test_the_login_page_puts_the_focus_on_the_username(client):
    html = client.get("/login").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="username"[^>]*>', html).group(0)
    assert "autofocus" in field


def test_no_browser_dialog_confirms_anything():
    """Irreversible actions ask on the server (youthcouncil/confirm.py): a dialog under hx-boost was never shown."""
    templates = Path(__file__).resolve().parent.parent / "templates"
    pages = {str(path): path.read_text() for path in templates.rglob("*.html")}
    offenders = [path for path, text in pages.items() if "hx-confirm" in text or "confirm=" in text]
    assert offenders == []
