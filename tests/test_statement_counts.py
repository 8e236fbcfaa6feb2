"""SQL statements per page, for every role, with the demo data and with ten times as much (issue 11): a count that
grows with the data is an N+1 query. Also the ceilings: a theme vote ≤ 8 statements, a member's page ≤ 12.

Each request starts with an empty session, as in production (the tests' app context otherwise keeps the seeded
rows in the session's identity map, and a page would find them without a query).
"""

from __future__ import annotations

import re
import uuid

from tests.conftest import CSRF_RE, _empty_all_tables, log_in
from tests.scale import ROLE_USERS, StatementCounter, pages, seed_scaled, user_named

RANK_RE = re.compile(r'name="rank-(\d+)"')
VOTE_CEILING = 8
MEMBER_PAGE_CEILING = 12


def _measure(app, db) -> tuple[dict[tuple[str, str], tuple[int, int]], int]:
    """{(role, page): (status, statements)} for every role and page, and the statements of a theme vote."""
    urls = pages()
    users = {role: user_named(name) if name else None for role, name in ROLE_USERS.items()}
    counts = {}
    for role, user in users.items():
        client = app.test_client()
        if user is not None:
            log_in(client, user)
        for name, url in urls.items():
            db.session.remove()
            with StatementCounter(db.engine) as counter:
                status = client.get(url).status_code
            counts[(role, name)] = (status, counter.count)
    return counts, _vote_statements(app, db, users["member"], urls["ballot"])


def _vote_statements(app, db, member, ballot_url: str) -> int:
    client = app.test_client()
    log_in(client, member)
    page = client.get(ballot_url).get_data(as_text=True)
    themes = RANK_RE.findall(page)
    form = {"csrf_token": CSRF_RE.search(page).group(1), "idempotency_key": str(uuid.uuid4())}
    form.update({f"rank-{theme}": str(place) for place, theme in enumerate(themes, start=1)})
    db.session.remove()
    with StatementCounter(db.engine) as counter:
        response = client.post(ballot_url, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return counter.count


def test_no_page_grows_with_the_data_and_votes_and_member_pages_stay_under_their_ceilings(app, db):
    seed_scaled(1)
    small, small_vote = _measure(app, db)
    # The pages really were shown (not a login redirect for everyone), so the counts mean something.
    assert small[("member", "home")][0] == 200
    assert small[("member", "ballot")][0] == 200
    assert small[("coordinator", "roster")][0] == 200
    assert small[("anonymous", "theme results")][0] == 200
    _empty_all_tables(db)
    seed_scaled(10)
    large, large_vote = _measure(app, db)

    grown = [f"{role} {page}: {small[role, page][1]} → {n} statements" for (role, page), (_s, n) in large.items()]
    grown = [line for line, key in zip(grown, large, strict=True) if large[key][1] > small[key][1]]
    if large_vote > small_vote:
        grown.append(f"member theme vote: {small_vote} → {large_vote} statements")
    assert grown == [], "\n".join(grown)

    for counts, vote in ((small, small_vote), (large, large_vote)):
        assert vote <= VOTE_CEILING, f"a theme vote took {vote} statements"
        over = {
            page: statements
            for (role, page), (status, statements) in counts.items()
            if role == "member" and status == 200 and statements > MEMBER_PAGE_CEILING
        }
        assert over == {}, f"member pages over {MEMBER_PAGE_CEILING} statements: {over}"
