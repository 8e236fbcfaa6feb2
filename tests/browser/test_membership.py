"""On a phone: a school rep nominates two pupils; the coordinator approves one and rejects one; the activation
sheet shows the QR of the activation link; the new member activates with the code and logs in. axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import segno

from youthcouncil.db import utcnow

pytestmark = pytest.mark.browser

NEW_PASSPHRASE = "grønn sykkel taco"


def _nominate(page, tap, axe_check, starts_on, first: str, last: str, age: int, check_axe: bool = False) -> None:
    tap(page, "Nominer en elev")
    page.wait_for_selector("h1:has-text('Nominer en elev')")
    year, month = starts_on.year - age, starts_on.month
    page.fill("input[name=first_name]", first)
    page.fill("input[name=last_name]", last)
    page.fill("input[name=grade]", "9A")
    page.fill("input[name=birth_year]", str(year))
    page.select_option("select[name=birth_month]", str(month))
    page.fill("textarea[name=why_me]", "Jeg vil at elevene skal bli hørt.")
    if check_axe:
        axe_check(page)
    tap(page, "Lagre nominasjon")
    page.wait_for_selector(f"text={first} er nominert.")


def test_nominate_review_print_sheet_activate_and_log_in(
    page, db, world, live_server, login, logout, tap, axe_check, assert_styled
):
    # The current term, still open for nominations (a member of a term that has not started has no role yet).
    term = world.term
    term.nomination_deadline = utcnow() + timedelta(days=3)
    db.session.flush()
    # Plain values only: touching ORM objects after the commit would open a write transaction in SQLite.
    starts_on, term_name = term.starts_on, term.name
    db.session.commit()

    # The school rep (Rita, Bakken skole) nominates two pupils.
    login(page, "rita")
    tap(page, page.get_by_role("link", name="Nominasjoner").first)
    page.wait_for_selector("h1:has-text('Nominasjoner for Bakken skole')")
    axe_check(page)
    tap(page, f"Se nominasjonene for {term_name}")
    page.wait_for_selector(f"text=Valgperiode {term_name}")
    assert_styled(page)
    axe_check(page)
    # A mistake first: the form explains next to the field and keeps what was typed.
    tap(page, "Nominer en elev")
    page.fill("input[name=first_name]", "Siri")
    tap(page, "Lagre nominasjon")
    page.wait_for_selector("#last_name-error")
    assert page.input_value("input[name=first_name]") == "Siri"
    axe_check(page)
    tap(page, page.locator("main").get_by_role("link", name="Tilbake", exact=True))
    _nominate(page, tap, axe_check, starts_on, "Siri", "Solberg", 15, check_axe=True)
    _nominate(page, tap, axe_check, starts_on, "Tor", "Tangen", 16)
    axe_check(page)
    logout(page)

    # The coordinator approves Siri and rejects Tor with a reason.
    login(page, "hanne")
    assert "2 nominasjoner venter på deg." in page.locator("main").inner_text()
    axe_check(page)
    tap(page, "Behandle nominasjoner")
    tap(page, page.locator("main").get_by_role("link", name="Bakken skole").first)
    page.wait_for_selector("h1:has-text('Bakken skole')")
    axe_check(page)
    tap(page, "Godkjenn Siri")
    page.wait_for_selector("text=Siri Solberg er godkjent")
    tap(page, "Avslå Tor")
    page.wait_for_selector("textarea[name=reason]")
    axe_check(page)
    page.fill("textarea[name=reason]", "Tor er allerede med i et annet råd.")
    tap(page, "Avslå nominasjon")
    page.wait_for_selector("text=Elevrådsrepresentanten ser begrunnelsen din")

    # The activation sheet: one page for Siri with the code and the QR of the activation link.
    tap(page, "Aktiveringsark")
    page.wait_for_selector("h1:has-text('Aktiveringsark for Bakken skole')")
    axe_check(page)
    tap(page, "Lag ark for utskrift", full_load=True)  # not boosted: the codes page sends no referrer
    sheet = page.locator("[data-testid=activation-sheet]")
    sheet.wait_for()
    assert sheet.count() == 1
    axe_check(page)
    code = sheet.locator("[data-testid=activation-code]").inner_text().strip()
    username = sheet.locator("[data-testid=sheet-username]").inner_text().strip()
    qr = sheet.locator("img.qr")
    assert qr.is_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expected = segno.make(f"{live_server.url}/activate?code={code}", error="m").svg_data_uri(scale=6, border=4)
    assert qr.get_attribute("src") == expected
    assert "Siri Solberg" in sheet.inner_text()
    # Printed, each sheet is its own A5 page (a named page: other pages keep the printer's paper).
    assert sheet.evaluate("el => getComputedStyle(el).page") == "activation-sheet"
    tap(page, "Ferdig")
    logout(page)

    # The rep sees the decision and the reason.
    login(page, "rita")
    tap(page, page.get_by_role("link", name="Nominasjoner").first)
    tap(page, f"Se nominasjonene for {term_name}")
    assert "Tor er allerede med i et annet råd." in page.locator("[data-testid=rejection-reason]").inner_text()
    logout(page)

    # Siri scans the QR (her phone opens the link), chooses a passphrase and is in; then logs in again normally.
    page.goto(f"/activate?code={code}")
    assert page.input_value("input[name=code]") == code
    page.fill("input[name=passphrase]", NEW_PASSPHRASE)
    page.fill("input[name=confirm]", NEW_PASSPHRASE)
    tap(page, page.locator("form[action='/activate'] button"))
    page.wait_for_url("**/home")
    assert page.locator("h1").inner_text() == "Hei, Siri!"
    logout(page)
    login(page, username, NEW_PASSPHRASE)
    assert page.locator("h1").inner_text() == "Hei, Siri!"


def test_public_council_page_passes_axe_and_shows_no_last_names(page, world, axe_check):
    page.goto("/council")
    text = page.locator("main").inner_text()
    assert "Mia" in text and "Bakken skole" in text and "Testesen" not in text
    axe_check(page)


def test_membership_pages_fit_a_320_px_phone(page, db, world, login, tap, assert_fits, assert_words_whole):
    from tests.membership.builders import make_nomination, make_open_term

    term = make_open_term(world.municipality)
    db.session.flush()
    make_nomination(
        term, world.schools[0], world.users["school_rep"], first_name="Smal", age=12, why_me="Et langt ord: " + "x" * 80
    )
    term_name = term.name
    db.session.commit()
    page.set_viewport_size({"width": 320, "height": 640})
    login(page, "rita")
    # The nominations, one school's list (a word longer than the phone breaks; nothing else does), the form.
    for link in ("Nominasjoner", f"Se nominasjonene for {term_name}", "Nominer en elev"):
        tap(page, page.get_by_role("link", name=link).first)
        assert_fits(page)
        assert_words_whole(page)


def test_the_coordinator_decides_in_the_review_queue(page, db, world, login, tap, axe_check):
    from tests.membership.builders import make_nomination, make_open_term
    from youthcouncil.membership.models import Nomination, NominationStatus

    term = make_open_term(world.municipality)
    db.session.flush()
    young = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Lita", age=12)
    older = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Ola", age=16)
    young_id, older_id = young.id, older.id
    db.session.commit()
    db.session.remove()
    login(page, "hanne")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Nominasjoner"))
    lita, ola = page.locator(f"#queue-{young_id}"), page.locator(f"#queue-{older_id}")
    assert "10–12" in lita.inner_text() and "ikke registrert ennå" in lita.inner_text()
    assert "15–17" in ola.inner_text()
    axe_check(page)
    url = page.url
    ola.get_by_role("button", name="Godkjenn Ola").click()
    page.wait_for_selector(f"#queue-{older_id} >> text=er godkjent og har fått en konto")
    assert page.url == url  # decided in place: no new page
    lita.locator("summary").click()
    lita.get_by_role("button", name="Avslå nominasjon").click()
    page.wait_for_selector(f"#n{young_id}-reason-error")  # the reason is needed, said next to its field
    page.locator(f"#n{young_id}-reason").fill("For ung i år.")
    page.locator(f"#queue-{young_id}").get_by_role("button", name="Avslå nominasjon").click()
    page.wait_for_selector(f"#queue-{young_id} >> text=ikke godkjent")
    axe_check(page)
    db.session.remove()
    assert db.session.get(Nomination, older_id).status == NominationStatus.approved
    assert db.session.get(Nomination, young_id).status == NominationStatus.rejected
