"""On a phone: a clerk sends a request with a PDF; two members comment; the chair drafts and opens the vote; members
vote; it is adopted and sent; the clerk sees it and records the city's decision; the public archive shows it."""

from datetime import timedelta

import pytest

from tests.consultations.builders import PDF

pytestmark = pytest.mark.browser


def test_the_whole_consultation_loop_on_a_phone(
    page, db, world, login, logout, tap, confirm, axe_check, assert_styled, tmp_path
):
    from youthcouncil.db import utcnow
    from youthcouncil.i18n import to_oslo

    extra = world.members[2].username
    db.session.commit()  # end this thread's read, so that the live server can write (SQLite)
    pdf = tmp_path / "saksframlegg.pdf"
    pdf.write_bytes(PDF)
    deadline = (to_oslo(utcnow()).date() + timedelta(days=30)).isoformat()

    def open_the_request():
        """From wherever we are: the menu's Consultations, then the request."""
        tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer"))
        tap(page, page.get_by_role("link", name="Ny skatepark"))
        assert_styled(page)

    # The clerk sends the request.
    login(page, "kari")
    axe_check(page)
    tap(page, page.get_by_role("link", name="Send en ny høring").first)
    axe_check(page)
    page.fill("input[name=title]", "Ny skatepark")
    page.fill("input[name=case_number]", "2026/0412")
    page.fill("textarea[name=case_text]", "Kommunen vurderer å bygge en skatepark ved Sjøsiden.")
    page.fill("textarea[name=summary]", "Kommunen vil lage en skatepark. Hva mener dere?")
    page.wait_for_selector("#lix-hint .notice")  # the live readability hint
    page.fill("input[name=deadline]", deadline)
    page.set_input_files("input[name=attachments]", str(pdf))
    tap(page, "Send til ungdomsrådet", full_load=True)  # a file upload: a plain form post
    page.wait_for_selector("text=Høringen er sendt til ungdomsrådet.")
    assert "saksframlegg.pdf" in page.locator("main").inner_text()
    axe_check(page)
    logout(page)

    # The chair opens it for discussion.
    login(page, "leo")
    open_the_request()
    tap(page, "Åpne den for diskusjon")
    page.wait_for_selector("text=Høringen er åpnet.")
    axe_check(page)
    logout(page)

    # Two members comment; an empty comment is sent back first (a 422, swapped in without a console error).
    for username, text in (("mia", "Vi trenger lys om kvelden."), (extra, "Og benker!")):
        login(page, username)
        assert "Ny skatepark" in page.locator("main").inner_text()  # the home panel
        tap(page, page.locator("main").get_by_role("link", name="Ny skatepark"))
        tap(page, "Legg ut kommentaren")
        page.locator("#body-error").wait_for()
        page.fill("textarea[name=body]", text)
        tap(page, "Legg ut kommentaren")
        page.wait_for_selector(f"text={text}")
        if username == extra:  # the second member supports the first one's point
            tap(page, "Jeg støtter dette")
            page.get_by_role("button", name="Trekk tilbake støtten").wait_for()
            assert "1 støtter dette" in page.locator("main").inner_text()
        axe_check(page)
        logout(page)

    # The chair drafts and opens the vote.
    login(page, "leo")
    open_the_request()
    tap(page, "Skriv utkastet")
    page.wait_for_selector("textarea[name=body]")
    axe_check(page)
    page.fill("textarea[name=body]", "Ungdomsrådet støtter skateparken, med lys om kvelden og benker.")
    tap(page, "Lagre en ny versjon")
    page.wait_for_selector("text=Lagret som versjon 1.")
    tap(page, "Åpne avstemningen")
    page.wait_for_selector("text=Avstemningen er åpen.")
    axe_check(page)
    tap(page, page.get_by_role("button", name="Ja", exact=True))
    page.wait_for_selector(".motion-your-vote")
    logout(page)

    # The members vote on their phones.
    for username in ("mia", extra):
        login(page, username)
        tap(page, page.locator("main").get_by_role("link", name="Rådet stemmer", exact=False).first)
        tap(page, page.get_by_role("button", name="Ja", exact=True))
        page.wait_for_selector(".motion-your-vote")
        axe_check(page)
        logout(page)

    # The chair closes the vote; the response is adopted and sent.
    login(page, "leo")
    open_the_request()
    tap(page, "Gå til avstemningen")
    tap(page, page.locator("form[action$='/close'] button"))
    confirm(page, "Ingen kan stemme etter dette.")
    page.wait_for_selector(".motion-outcome")
    open_the_request()
    assert "Det vedtatte høringssvaret" in page.locator("main").inner_text()
    tap(page, "Send høringssvaret til saksbehandleren")
    confirm(page, "Saksbehandleren får det vedtatte høringssvaret nå")
    page.wait_for_selector("text=Høringssvaret er sendt til saksbehandleren.")
    axe_check(page)
    logout(page)

    # The clerk sees the response and the vote, never the discussion, and records the city's decision.
    login(page, "kari")
    open_the_request()
    main = page.locator("main").inner_text()
    assert "Ungdomsrådet støtter skateparken" in main and "Vi trenger lys om kvelden." not in main
    axe_check(page)
    # The print view, reached by a tap, is styled as a letter (its look comes with the one stylesheet).
    tap(page, "Skriv ut eller lagre som PDF")
    page.wait_for_selector("text=2026/0412")
    assert_styled(page)
    assert "Georgia" in page.locator("main").evaluate("el => getComputedStyle(el).fontFamily")
    axe_check(page)
    tap(page, "Tilbake til høringen")
    tap(page, "Registrer kommunens vedtak")
    page.wait_for_selector("textarea[name=decision]")
    axe_check(page)
    page.fill("textarea[name=decision]", "Kommunestyret vedtok å bygge skateparken.")
    page.fill("textarea[name=usage]", "Lys om kvelden kom med i vedtaket.")
    tap(page, "Lagre kommunens vedtak")
    page.wait_for_selector("text=Kommunens vedtak er registrert.")
    logout(page)

    # Anyone sees it in the public archive, side by side.
    tap(page, page.locator("footer, nav").get_by_role("link", name="Høringssvar").first)
    axe_check(page)
    tap(page, "Ny skatepark")
    page.wait_for_selector("text=Kommunestyret vedtok å bygge skateparken.")
    main = page.locator("main").inner_text()
    assert "Hva mener dere?" in main and "Ungdomsrådet støtter skateparken" in main
    assert "Vi trenger lys om kvelden." not in main
    axe_check(page)
