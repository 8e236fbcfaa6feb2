"""Issue 14, points 6 and 7: the numbers and labels a coordinator, a school rep and a new deputy read."""

from __future__ import annotations

import re

from flask_babel import force_locale

from tests.factories import make_member
from tests.membership.builders import make_nomination, make_open_term
from tests.safety_week import builders as sw
from youthcouncil.accounts.passphrases import problem_with
from youthcouncil.membership.models import Seat
from youthcouncil.safety_week import services as sw_services
from youthcouncil.safety_week.models import ThemeRound


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_school_page_says_why_fewer_can_be_nominated_than_there_are_free_seats(
    db, client, login_as, world, in_request
):
    term = make_open_term(world.municipality)
    school = world.schools[0]
    school.seats, school.deputy_seats = 1, 2
    for name in ("Aud", "Bo", "Cia"):
        make_nomination(term, school, world.users["school_rep"], first_name=name, age=15)
    db.session.commit()
    login_as("school_rep")
    html = text(client.get(f"/membership/terms/{term.id}/schools/{school.id}"))
    assert "2, av dem 2 uten godkjent medlem" in html  # the deputy seats: none approved yet
    assert "Kan fortsatt nomineres" in html and '<span data-testid="places-left">0</span>' in html
    assert "minus 3 nominasjoner som venter på koordinatoren" in html
    assert "Ledige plasser" not in html and "(ledige:" not in html


def test_the_audit_log_is_not_called_just_log_next_to_log_out(client, login_as):
    login_as("coordinator")
    nav = re.search(r'<nav class="main-nav".*?</nav>', text(client.get("/home")), re.S).group(0)
    assert ">Endringslogg<" in nav and ">Logg<" not in nav and "Logg ut" in nav


def test_a_new_deputy_is_told_they_are_a_deputy_and_the_theme_card_says_something(db, client, world):
    from tests.conftest import log_in

    deputy = make_member(world.term, world.schools[0], seat=Seat.deputy, first_name="Vara")
    round_, _themes = sw.voting_round(world)
    db.session.commit()
    log_in(client, deputy)
    home = text(client.get("/home"))
    assert "Du er varamedlem i ungdomsrådet" in home and "Du er medlem av ungdomsrådet" not in home
    card = re.search(r'<section class="card sw-panel">(.*?)</section>', home, re.S).group(1)
    assert "Varamedlemmer stemmer ikke" in card and f'href="/safety-week/rounds/{round_.id}"' in card
    # A member with a full seat still reads that they are a member, and gets the vote button.
    log_in(client, world.users["member"])
    home = text(client.get("/home"))
    assert "varamedlem" not in home and "Stem på tema" in home


def test_the_theme_round_form_suggests_a_year_without_a_round(db, client, login_as, world):
    from youthcouncil.db import utcnow
    from youthcouncil.i18n import to_oslo

    this_year = to_oslo(utcnow()).year
    sw.make_round(world, year=this_year)
    db.session.commit()
    login_as("coordinator")
    html = text(client.get("/safety-week/rounds/new"))
    assert f'name="year" type="number" value="{this_year + 1}"' in html or f'value="{this_year + 1}"' in html
    assert f"Trygghetsuka {this_year + 1}" in html
    assert sw_services.first_free_year(this_year) == this_year + 1


def test_after_counting_the_coordinator_reads_which_theme_won(db, client, login_as, world):
    round_, themes = sw.voting_round(world)
    for user in (world.users["member"], world.users["chair"]):
        sw.vote(round_, user, themes[1], themes[0])
    round_id = round_.id
    db.session.commit()
    login_as("coordinator")
    url = f"/safety-week/rounds/{round_id}/phase"
    response = client.submit(
        url, {"action": "close_voting", "confirm": "y"}, page=f"/safety-week/rounds/{round_id}", follow_redirects=True
    )
    html = text(response)
    assert db.session.get(ThemeRound, round_id).is_closed
    assert "Temaet for trygghetsuka er «Trygg i trafikken»" in html
    assert "fasen til runden er oppdatert" not in html


def test_the_common_passphrase_message_is_whole(app):
    with app.test_request_context(), force_locale("nb"):
        assert str(problem_with("password1")).endswith("Velg noe som andre ikke gjetter.")
