"""On a phone: a clerk sends a request with a PDF; two members comment; the chair drafts and opens the vote; members
vote; it is adopted and sent; the clerk sees it and records the city's decision; the public archive shows it."""

from datetime import timedelta

import pytest

from tests.consultations.builders import PDF

pytestmark = pytest.mark.browser


def _logout(page) -> None:
    page.click("nav.main-nav form[action='/logout'] button")
    page.wait_for_selector("text=Du er logget ut")


def test_the_whole_consultation_loop_on_a_phone(page, db, world, login, axe_check, tmp_path):
    logout = _logout
    from youthcouncil.db import utcnow
    from youthcouncil.i18n import to_oslo

    extra = world.members[2].username
    db.session.commit()  # end this thread's read, so that the live server can write (SQLite)
    pdf = tmp_path / "saksframlegg.pdf"
    pdf.write_bytes(PDF)
    deadline = (to_oslo(utcnow()).date() + timedelta(days=30)).isoformat()

    # The clerk sends the request.
    login(page, "kari")
    axe_check(page)
    page.goto("/consultations/new")
    axe_check(page)
    page.fill("input[name=title]", "Ny skatepark")
    page.fill("input[name=case_number]", "2026/0412")
    page.fill("textarea[name=case_text]", "Kommunen vurderer å bygge en skatepark ved Sjøsiden.")
    page.fill("textarea[name=summary]", "Kommunen vil lage en skatepark. Hva mener dere?")
    page.wait_for_selector("#lix-hint .notice")  # the live readability hint
    page.fill("input[name=deadline]", deadline)
    page.set_input_files("input[name=attachments]", str(pdf))
    page.get_by_role("button", name="Send til ungdomsrådet").click()
    page.wait_for_selector("text=Høringen er sendt til ungdomsrådet.")
    assert "saksframlegg.pdf" in page.locator("main").inner_text()
    axe_check(page)
    detail_url = page.url
    logout(page)

    # The chair opens it for discussion.
    login(page, "leo")
    page.goto(detail_url)
    page.get_by_role("button", name="Åpne den for diskusjon").click()
    page.wait_for_selector("text=Høringen er åpnet.")
    axe_check(page)
    logout(page)

    # Two members comment.
    for username, text in (("mia", "Vi trenger lys om kvelden."), (extra, "Og benker!")):
        login(page, username)
        assert "Ny skatepark" in page.locator("main").inner_text()  # the home panel
        page.goto(detail_url)
        page.fill("textarea[name=body]", text)
        page.get_by_role("button", name="Legg ut kommentaren").click()
        page.wait_for_selector(f"text={text}")
        axe_check(page)
        logout(page)

    # The chair drafts and opens the vote.
    login(page, "leo")
    page.goto(detail_url)
    page.get_by_role("link", name="Skriv utkastet").click()
    page.wait_for_selector("textarea[name=body]")
    axe_check(page)
    page.fill("textarea[name=body]", "Ungdomsrådet støtter skateparken, med lys om kvelden og benker.")
    page.get_by_role("button", name="Lagre en ny versjon").click()
    page.wait_for_selector("text=Lagret som versjon 1.")
    page.get_by_role("button", name="Åpne avstemningen").click()
    page.wait_for_selector("text=Avstemningen er åpen.")
    axe_check(page)
    page.get_by_role("button", name="Ja", exact=True).click()
    page.wait_for_selector(".motion-your-vote")
    motion_url = page.url
    logout(page)

    # The members vote on their phones.
    for username in ("mia", extra):
        login(page, username)
        page.goto(motion_url)
        page.get_by_role("button", name="Ja", exact=True).click()
        page.wait_for_selector(".motion-your-vote")
        axe_check(page)
        logout(page)

    # The chair closes the vote; the response is adopted and sent.
    login(page, "leo")
    page.goto(motion_url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/close'] button").click()
    page.wait_for_selector(".motion-outcome")
    page.goto(detail_url)
    assert "Det vedtatte høringssvaret" in page.locator("main").inner_text()
    page.get_by_role("button", name="Send høringssvaret til saksbehandleren").click()
    page.wait_for_selector("text=Høringssvaret er sendt til saksbehandleren.")
    axe_check(page)
    logout(page)

    # The clerk sees the response and the vote, never the discussion, and records the city's decision.
    login(page, "kari")
    page.goto(detail_url)
    main = page.locator("main").inner_text()
    assert "Ungdomsrådet støtter skateparken" in main and "Vi trenger lys om kvelden." not in main
    axe_check(page)
    page.get_by_role("link", name="Skriv ut eller lagre som PDF").click()
    page.wait_for_selector("text=2026/0412")
    axe_check(page)
    page.goto(detail_url)
    page.get_by_role("link", name="Registrer kommunens vedtak").click()
    page.wait_for_selector("textarea[name=decision]")
    axe_check(page)
    page.fill("textarea[name=decision]", "Kommunestyret vedtok å bygge skateparken.")
    page.fill("textarea[name=usage]", "Lys om kvelden kom med i vedtaket.")
    page.get_by_role("button", name="Lagre kommunens vedtak").click()
    page.wait_for_selector("text=Kommunens vedtak er registrert.")
    logout(page)

    # Anyone sees it in the public archive, side by side.
    page.goto("/consultations/archive")
    axe_check(page)
    page.get_by_role("link", name="Ny skatepark").click()
    page.wait_for_selector("text=Kommunestyret vedtok å bygge skateparken.")
    main = page.locator("main").inner_text()
    assert "Hva mener dere?" in main and "Ungdomsrådet støtter skateparken" in main
    assert "Vi trenger lys om kvelden." not in main
    axe_check(page)
