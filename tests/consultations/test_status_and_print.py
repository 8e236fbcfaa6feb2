"""The status line and the overdue flag, and the print view of the response letter."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import log_in
from tests.consultations.builders import make_decided, make_request, make_sent
from youthcouncil.consultations import services
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo

# --- Status line ----------------------------------------------------------------------------------------------


def test_the_status_line_and_overdue_flag_are_shown_to_clerk_and_council(client, db, world, in_request):
    consultation = make_request(world.clerk, days=1)
    db.session.commit()
    cid = consultation.id
    # Move the deadline into the past (as if the days went by).
    consultation.deadline = utcnow() - timedelta(days=2)
    db.session.commit()
    for user in (world.clerk, world.users["member"]):
        log_in(client, user)
        page = client.get(f"/consultations/{cid}").get_data(as_text=True)
        assert "Fristen er ute" in page, user.first_name
        listing = client.get("/consultations/").get_data(as_text=True)
        assert "Fristen er ute" in listing
    labels = [label for label, _state in services.steps(make_decided(world))]
    assert labels == [
        "Sendt",
        "Åpnet",
        "Til diskusjon",
        "Avstemning",
        "Vedtatt",
        "Høringssvar sendt",
        "Kommunens vedtak registrert",
    ]


# --- Print view ------------------------------------------------------------------------------------------------


def test_the_print_view_has_the_letter_facts_and_no_navigation(app, client, db, world, in_request):
    consultation = make_sent(world, case_number="2026/4711")
    db.session.commit()
    log_in(client, world.clerk)
    page = client.get(f"/consultations/{consultation.id}/print").get_data(as_text=True)
    decided = to_oslo(consultation.adopted_decision.decided_at)
    assert "Testvik kommune" in page and "2026/4711" in page
    assert f"{decided.day}. " in page and str(decided.year) in page
    assert re.search(r"Vedtatt av ungdomsrådet [^:]+: 4 ja, 0 nei, 0 avstår", page)
    assert "<nav" not in page and "main-nav" not in page
    css = app.static_folder + "/css/consultations.css"
    with open(css, encoding="utf-8") as handle:
        stylesheet = handle.read()
    assert re.search(r"@media print\s*{[^}]*\.cs-print-back\s*{\s*display:\s*none", stylesheet)
