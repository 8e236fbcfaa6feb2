"""The spending for Excel with Norwegian settings (semicolons, a byte-order mark, the reader's language, one meaning per
column) next to the unchanged open-data CSV; the page says which is which."""

from __future__ import annotations

import csv
import io
from datetime import date

from tests.budget.builders import decided_year
from youthcouncil.budget.ledger import record_spending
from youthcouncil.i18n import LANGUAGE_COOKIE


def test_the_spreadsheet_opens_in_norwegian_excel(client, db, world):
    year, events = decided_year(world, costs=(30_000, 20_000))
    events[0].title = "=Kino; med «popcorn»"
    record_spending(
        events[0].grant, amount=12_000, spent_on=date(2027, 5, 2), what_for="Billetter", by=world.users["coordinator"]
    )
    db.session.commit()
    response = client.get(f"/budget/years/{year.id}/spending-spreadsheet.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="budsjett-' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads UTF-8 (æøå) right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Budsjettår", "Arrangement", "Måned", "Tildelt (kr)", "Brukt (kr)", "Igjen av tildelingen (kr)"]
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["'=Kino; med «popcorn»"][2:] == ["mai", "30000", "12000", "18000"]
    # The last column means the same on every row: what is left of the grants.
    assert rows[-1][1:] == ["Sum av tildelingene", "", "50000", "12000", "38000"]
    assert not any(row[1] in ("TOTAL", "BUDGET") for row in rows)
    assert b"\r\n" in raw


def test_the_spreadsheet_speaks_english_to_an_english_reader(client, db, world):
    year, _ = decided_year(world)
    db.session.commit()
    client.set_cookie(LANGUAGE_COOKIE, "en")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/budget/years/{year.id}/spending-spreadsheet.csv").get_data(as_text=True).lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[0] == ["Budget year", "Event", "Month", "Granted (NOK)", "Spent (NOK)", "Left of the grant (NOK)"]


def test_the_open_data_stays_as_it_was_and_the_page_says_which_is_which(client, db, world):
    year, _ = decided_year(world, costs=(30_000, 20_000))
    db.session.commit()
    text = client.get(f"/budget/years/{year.id}/spending.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert not text.startswith("\ufeff")
    assert rows[0] == ["budget_year", "event", "month", "granted_nok", "spent_nok", "remaining_nok"]
    assert [row[1] for row in rows[-2:]] == ["TOTAL", "BUDGET"]
    page = client.get(f"/budget/spending?year={year.id}").get_data(as_text=True)
    assert f'href="/budget/years/{year.id}/spending-spreadsheet.csv"' in page and "Last ned for Excel" in page
    assert f'href="/budget/years/{year.id}/spending.csv"' in page and "engelske kolonnenavn" in page
