"""Issue 14 as staff meet it, by tapping: the coordinator's menu on one line at 1280 px, a term that would overlap
refused next to its first day while the current term stays, a clerk setting their own e-mail address, a deputy's
home page."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser


def test_the_coordinators_menu_fits_one_line_on_a_laptop(page, world, login, tap, assert_styled):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "hanne")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Valgperioder"))
    assert_styled(page)
    items = page.locator("nav.main-nav li")
    assert items.count() == 12
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count()))}
    assert len(tops) == 1, tops
    labels = page.locator("nav.main-nav").inner_text()
    assert "Endringslogg" in labels and "Logg ut" in labels


def test_an_overlapping_term_is_refused_and_a_future_one_leaves_the_current_term(page, db, world, login, tap):
    current, ends_on = world.term.name, world.term.ends_on
    db.session.commit()
    db.session.remove()
    login(page, "hanne")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Valgperioder"))
    tap(page, "Ny valgperiode")
    page.fill("input[name=name]", "Overlapp-test")
    page.fill("input[name=starts_on]", (ends_on - timedelta(days=100)).isoformat())
    page.fill("input[name=ends_on]", (ends_on + timedelta(days=300)).isoformat())
    page.fill("input[name=nomination_deadline]", (ends_on - timedelta(days=120)).isoformat())
    tap(page, page.locator("main form button", has_text="Lagre"))
    error = page.locator("#starts_on-error")
    assert f"overlapper valgperioden {current}" in error.inner_text()
    page.fill("input[name=name]", "Neste periode")
    page.fill("input[name=starts_on]", (ends_on + timedelta(days=1)).isoformat())
    page.fill("input[name=ends_on]", (ends_on + timedelta(days=700)).isoformat())
    tap(page, page.locator("main form button", has_text="Lagre"))
    assert "Neste periode" in page.inner_text("main")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Hjem"))
    assert f"Valgperiode: {current}" in page.inner_text("main")


def test_a_clerk_sets_their_own_email_address(page, db, world, login, tap):
    login(page, "kari")
    tap(page, page.locator("footer").get_by_role("link", name="Min konto"))
    tap(page, "Endre e-post")
    page.fill("input[name=email]", "kari@kommune.example.org")
    tap(page, page.locator("main form button", has_text="Lagre"))
    assert "kari@kommune.example.org" in page.inner_text("main")
    assert "E-post sendes nå til kari@kommune.example.org" in page.inner_text("#flash")


def test_a_new_deputys_home(page, db, world, login):
    from tests.factories import make_member
    from tests.safety_week.builders import voting_round
    from youthcouncil.membership.models import Seat

    make_member(world.term, world.schools[0], seat=Seat.deputy, first_name="Vara", username="vara")
    voting_round(world)
    db.session.commit()
    db.session.remove()
    login(page, "vara")
    main = page.inner_text("main")
    assert "Du er varamedlem" in main and "Varamedlemmer stemmer ikke" in main
