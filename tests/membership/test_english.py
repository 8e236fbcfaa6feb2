"""With English chosen (cookie yc_lang=en), no membership page shows Norwegian words, and errors are in English."""

from __future__ import annotations

import pytest

from tests.language import norwegian_in
from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.membership.nominations import approve_nomination, reject_nomination

DATA = ("Bakken skole", "Fjorden skole", "Kandidat", "Testesen")


def _norwegian_in(html: str) -> list[str]:
    return norwegian_in(html, data=DATA)


@pytest.fixture
def setup(db, world, app):
    with app.test_request_context():
        term = make_open_term(world.municipality, name="2030")
        db.session.flush()
        rep = world.users["school_rep"]
        school = world.schools[0]
        young = make_nomination(term, school, rep, first_name="Yngve", age=12, why_me="Hi")
        approved = make_nomination(term, school, rep, first_name="Abel", age=16)
        rejected = make_nomination(term, school, rep, first_name="Rune", age=16)
        approve_nomination(approved, by=world.coordinator)
        reject_nomination(rejected, "No room", by=world.coordinator)
        approve_nomination(young, by=world.coordinator)
        db.session.commit()
    return term, school, young, rejected


def _pages(term, school, young, rejected, world):
    t, s = term.id, school.id
    membership_id = world.members[0].id
    return {
        "anonymous": ["/council"],
        "member": ["/council", "/membership/roster", "/home"],
        "school_rep": [
            "/home",
            "/membership/nominations",
            f"/membership/terms/{t}/schools/{s}",
            f"/membership/terms/{t}/schools/{s}/nominate",
            f"/membership/nominations/{young.id}/consent",
        ],
        "coordinator": [
            "/home",
            "/membership/nominations",
            f"/membership/terms/{t}/schools/{s}",
            "/membership/roster",
            "/membership/schools",
            "/membership/schools/new",
            f"/membership/schools/{s}",
            f"/membership/schools/{s}/reps/new",
            "/membership/terms",
            "/membership/terms/new",
            f"/membership/terms/{t}",
            f"/membership/terms/{t}/schools/{s}/sheets",
            "/membership/audit",
        ],
    }, membership_id


def test_every_membership_page_is_english_when_english_is_chosen(client, login_as, world, setup):
    term, school, young, rejected = setup
    pages, _ = _pages(term, school, young, rejected, world)
    failures = []
    for role, urls in pages.items():
        login_as(role)
        client.set_cookie("yc_lang", "en")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            found = _norwegian_in(response.get_data(as_text=True))
            if found:
                failures.append(f"{role} {url}: {found}")
    assert not failures, "\n".join(failures)


def test_the_printed_sheets_are_english_when_english_is_chosen(client, login_as, world, setup):
    term, school, *_ = setup
    login_as("coordinator")
    client.set_cookie("yc_lang", "en")
    url = f"/membership/terms/{term.id}/schools/{school.id}/sheets"
    response = client.submit(url, {}, page=url)
    html = response.get_data(as_text=True)
    assert 'data-testid="activation-sheet"' in html
    assert _norwegian_in(html) == []


def test_the_checker_finds_norwegian(client, login_as, world, setup):
    """The English checks above could fail: the same pages in bokmål are caught."""
    login_as("coordinator")
    assert _norwegian_in(client.get("/membership/nominations").get_data(as_text=True))
