"""Each input that once gave a server error (issue 10, section 3), and what it gets now: 404 for an id no row can
have, the field's plain message next to the field with the typing kept (a NUL byte in a field's text too), a plain 400
page for a NUL byte in the address, a field's name or a file's name.

These run on whichever backend DATABASE_URL names; the ids past 2³¹ failed on PostgreSQL, past 2⁶³ on SQLite, the
NUL bytes on PostgreSQL, the folded school names on SQLite.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import count
from tests.consultations.builders import PDF, FakeFile, make_opened, make_request
from tests.safety_week import builders as sw
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo
from youthcouncil.names import folded, name_key

BIG_IDS = ["2147483648", "9223372036854775807", "9223372036854775808", "1" + "0" * 30, "²", "١٢", "%00"]


def error_next_to(html: str, field: str) -> str:
    """The message shown in the field's own block (``render_field``), unescaped."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no message next to {field}"
    return html_lib.unescape(found.group(1))


def id_rules(app):
    rules = [rule for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule) if "<int:" in rule.rule]
    assert len(rules) > 50
    return rules


def test_every_int_in_a_url_is_an_id_the_database_can_hold(app):
    from youthcouncil.inputs import MAX_INT, IdConverter

    for rule in id_rules(app):
        for name, converter in rule._converters.items():
            if f"<int:{name}>" in rule.rule:
                assert isinstance(converter, IdConverter) and converter.max == MAX_INT == 2**31 - 1, rule.rule


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_an_id_past_the_integer_columns_is_not_found(client, world, role, login_as):
    login_as(role)
    token = client.csrf_token("/")
    failures = []
    for rule in id_rules(client.application):
        for junk in BIG_IDS:
            url = re.sub(r"<int:[a-z_]+>", junk, rule.rule)
            url = re.sub(r"<[a-z_:]+>", "x", url)
            response = client.get(url) if "GET" in rule.methods else client.post(url, data={"csrf_token": token})
            if response.status_code != 404:
                failures.append(f"{url}: {response.status_code}")
    assert not failures, failures


def test_a_public_page_past_the_largest_id_is_a_plain_not_found(client, world):
    response = client.get("/motions/2147483648")
    assert response.status_code == 404
    assert "Vi fant ikke den siden" in response.get_data(as_text=True)
    assert client.get("/motions/2147483647").status_code == 404  # the largest id is looked up, and not there


def test_a_unicode_digit_as_a_theme_place_gets_the_ballot_message(client, db, world, login_as):
    round_, themes = sw.voting_round(world)
    db.session.commit()
    login_as("member")
    url = f"/safety-week/rounds/{round_.id}/vote"
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    response = client.submit(url, {"idempotency_key": key, f"rank-{themes[0].id}": "²"}, page=url)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f"Gi hvert tema du rangerer en plass fra 1 til {len(themes)}." in body


@pytest.mark.parametrize("junk", ["²", "2147483648", "9223372036854775808"])
def test_a_unicode_digit_or_huge_parent_id_is_refused_next_to_the_comment(client, db, world, login_as, junk):
    """Not a server error, and not a silent new comment in place of the reply: a message next to the text."""
    consultation = make_opened(world)
    db.session.commit()
    login_as("member")
    url = f"/consultations/{consultation.id}"
    response = client.submit(f"{url}/comments", {"body": "Et poeng.", "parent_id": junk}, page=url)
    assert response.status_code == 422
    assert "Kommentaren du svarte på, finnes ikke på denne siden" in response.get_data(as_text=True)
    from youthcouncil.consultations.models import Comment

    assert db.session.scalars(sa.select(Comment.parent_id)).all() == []


@pytest.mark.parametrize("junk", ["²", "9223372036854775808"])
def test_a_unicode_digit_as_a_notification_id_marks_nothing(client, db, world, login_as, junk):
    from youthcouncil.notifications import services
    from youthcouncil.notifications.models import Notification

    services.notify([world.users["member"]], kind="test", message="Hei")
    db.session.commit()
    login_as("member")
    response = client.submit("/notifications/read", {"notification_id": junk}, page="/notifications")
    assert response.status_code == 404
    assert count(db, Notification, Notification.read_at.is_(None)) == 1


@pytest.mark.parametrize("junk", ["²", "9223372036854775808"])
def test_a_unicode_digit_as_an_attachment_to_remove_removes_nothing(client, db, world, login_as, junk):
    consultation = make_request(world.clerk, files=[FakeFile("a.pdf", PDF)])
    db.session.commit()
    login_as("clerk")
    url = f"/consultations/{consultation.id}/edit"
    data = {
        "title": "Rettet tittel",
        "case_number": "2026/0412",
        "case_text": "Kommunen vurderer en skatepark.",
        "summary": "Kommunen vil lage en skatepark. Hva mener dere?",
        "questions": "",
        "deadline": (to_oslo(utcnow()).date() + timedelta(days=30)).isoformat(),
        "remove": junk,
    }
    assert client.submit(url, data, page=url).status_code == 303
    db.session.expire_all()
    assert consultation.title == "Rettet tittel" and len(consultation.attachments) == 1


def value_of(html: str, field: str) -> str:
    """The value an input shows, unescaped."""
    found = re.search(rf'<input[^>]*\bname="{field}"[^>]*\bvalue="([^"]*)"', html) or re.search(
        rf'<input[^>]*\bvalue="([^"]*)"[^>]*\bname="{field}"', html
    )
    assert found, f"no input {field}"
    return html_lib.unescape(found.group(1))


NUL_NEXT_TO_FIELD = "usynlig tegn som ikke kan lagres"


def test_a_nul_byte_in_the_login_name_gets_a_message_next_to_it_and_the_typing_is_kept(client, world):
    response = client.submit("/login", {"username": "mia\x00", "passphrase": "x"}, page="/login")
    page = response.get_data(as_text=True)
    assert NUL_NEXT_TO_FIELD in error_next_to(page, "username")
    assert value_of(page, "username") == "mia\N{REPLACEMENT CHARACTER}"  # shown where the NUL was
    assert "\x00" not in page
    assert client.get("/home").status_code == 302  # not logged in


def test_a_nul_byte_in_a_hidden_field_is_named_at_the_top_of_the_form(client, world):
    """The right passphrase: only the NUL in the hidden field stops the login."""
    data = {"username": "mia", "passphrase": factories.PASSPHRASE, "next": "/home\x00"}
    page = client.submit("/login", data, page="/login").get_data(as_text=True)
    summary = re.search(r'<div class="form-summary" role="alert">(.*?)</div>', page, re.S)
    assert summary and NUL_NEXT_TO_FIELD in html_lib.unescape(summary.group(1))
    assert client.get("/home").status_code == 302  # not logged in
    data["next"] = "/home"
    assert client.submit("/login", data, page="/login").status_code in (302, 303)
    assert client.get("/home").status_code == 200


def test_a_nul_byte_in_a_comment_gets_a_message_and_nothing_is_stored(client, db, world, login_as):
    from youthcouncil.consultations.models import Comment

    consultation = make_opened(world)
    db.session.commit()
    login_as("member")
    url = f"/consultations/{consultation.id}"
    response = client.submit(f"{url}/comments", {"body": "Et\x00poeng"}, page=url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NUL_NEXT_TO_FIELD in error_next_to(page, "body")
    assert "Et\N{REPLACEMENT CHARACTER}poeng</textarea>" in page
    assert count(db, Comment) == 0
    # Sent again without it, the comment is stored.
    assert client.submit(f"{url}/comments", {"body": "Et poeng"}, page=url).status_code in (302, 303)
    assert count(db, Comment) == 1


def test_a_nul_byte_in_the_address_or_a_field_name_is_a_plain_400(client, db, world, login_as):
    consultation = make_opened(world)
    db.session.commit()
    login_as("member")
    url = f"/consultations/{consultation.id}"
    assert client.get("/notifications?next=%00").status_code == 400
    assert client.get("/login/feide%00").status_code in (400, 404)
    response = client.submit(f"{url}/comments", {"body": "Et poeng", "b\x00dy": "x"}, page=url)
    assert response.status_code == 400
    assert "usynlig tegn (NUL)" in response.get_data(as_text=True)


def test_every_form_of_the_app_answers_a_nul_byte_next_to_the_field():
    """A form class on FlaskForm itself would take the U+FFFD text as typed and could store it."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import youthcouncil
    from youthcouncil.inputs import Form

    for module in pkgutil.walk_packages(youthcouncil.__path__, "youthcouncil."):
        if module.name.endswith(("forms", "confirm", "web")):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("youthcouncil.")]
    assert len(ours) > 30
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, Form)] == []


def test_a_nul_byte_in_a_file_name_is_refused(client, db, world, login_as):
    login_as("clerk")
    data = {
        "title": "Med vedlegg",
        "case_number": "2026/1",
        "case_text": "Tekst.",
        "summary": "Kort.",
        "deadline": (to_oslo(utcnow()).date() + timedelta(days=30)).isoformat(),
        "attachments": [(__import__("io").BytesIO(PDF), "sak\x00.pdf")],
        "csrf_token": client.csrf_token("/consultations/new"),
    }
    response = client.post("/consultations/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400


def _year_form(**overrides) -> dict:
    start = to_oslo(utcnow()).replace(microsecond=0) + timedelta(days=1)

    def when(days: int) -> str:
        return (start + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")

    data = {
        "name": "Budsjett 2027",
        "total": "100000",
        "proposing_starts": when(0),
        "feasibility_starts": when(7),
        "voting_starts": when(14),
        "voting_ends": when(21),
        "decided_by": "",
        "rule": "greedy",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("amount", ["2147483648", "1" + "0" * 20, "1 000 000 001"])
def test_a_budget_larger_than_the_column_gets_the_field_s_message(client, world, login_as, amount):
    login_as("coordinator")
    response = client.submit("/budget/years/new", _year_form(total=amount), page="/budget/years/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "høyst kr 1 000 000 000" in error_next_to(html, "total").replace("\u00a0", " ")
    assert f'value="{amount}"' in html


def test_spending_larger_than_the_column_gets_the_field_s_message(client, db, world, login_as):
    from tests.budget.builders import decided_year

    _year, events = decided_year(world)
    db.session.commit()
    login_as("coordinator")
    url = f"/budget/grants/{events[0].grant.id}/spending"
    data = {"amount": "99999999999", "spent_on": to_oslo(utcnow()).date().isoformat(), "what_for": "Pizza"}
    response = client.submit(url, data, page=url)
    assert response.status_code == 422
    assert "høyst" in error_next_to(response.get_data(as_text=True), "amount")


def test_a_hand_count_larger_than_the_column_gets_the_field_s_message(client, db, world, login_as):
    from youthcouncil.motions.forms import HandCountForm

    with client.application.test_request_context("/", method="POST", data={"yes": "9" * 30, "no": "0"}):
        form = HandCountForm(meta={"csrf": False})
        form.validate()
    assert form.errors["yes"] == ["Skriv et tall opp til 1000."]


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-06-01T12:00"])
def test_a_date_time_at_the_end_of_the_calendar_gets_the_field_s_message(client, world, login_as, value):
    login_as("coordinator")
    response = client.submit("/budget/years/new", _year_form(voting_ends=value), page="/budget/years/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_next_to(html, "voting_ends") == "Velg en dato fra år 2000 til 2100."
    assert f'value="{value}"' in html


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_day_in_year_one_gets_the_field_s_message(client, world, login_as, value):
    login_as("coordinator")
    data = {"name": "2027–2029", "starts_on": value, "ends_on": "2029-07-31", "nomination_deadline": "2027-06-01"}
    response = client.submit("/membership/terms/new", data, page="/membership/terms/new")
    assert response.status_code in (200, 422)  # membership and accounts answer a form to fix with 200
    html = response.get_data(as_text=True)
    assert error_next_to(html, "starts_on") == "Velg en dato fra år 2000 til 2100."
    assert f'value="{value}"' in html


#: Forms whose JSON bodies once gave a 500 (a list body, or values that are not text).
JSON_FORMS = [
    ("coordinator", "/membership/schools/new"),
    ("coordinator", "/membership/terms/new"),
    ("coordinator", "/budget/years/new"),
    ("coordinator", "/safety-week/rounds/new"),
    ("coordinator", "/accounts/new"),
    ("clerk", "/consultations/new"),
    ("member", "/language"),
]


@pytest.mark.parametrize(("role", "url"), JSON_FORMS)
@pytest.mark.parametrize("body", [[1, 2], {"name": {"a": 1}, "total": [1], "seats": None}, 7, "text"])
def test_a_json_body_is_an_empty_form(client, world, login_as, role, url, body):
    login_as(role)
    token = client.csrf_token(url if url != "/language" else "/")
    response = client.post(url, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code in (200, 303, 422)
    if response.status_code == 422:
        assert "Noe må rettes" in response.get_data(as_text=True)


def test_names_fold_as_unicode_says():
    assert folded("ØSTBYEN  Skole ") == folded("østbyen skole")
    assert folded("STRASSE") == folded("Straße")
    assert folded("ﬀ") == "ff" and folded("Ａsen") == folded("asen")
    assert name_key("Åsen skole") == name_key("åSEN SKOLE") != name_key("Asen skole")
    assert len(name_key("\ufdfa" * 120)) == 64  # folding makes this 18 times longer; the key stays short


@pytest.mark.parametrize(
    ("first", "second"), [("Østbyen skole", "østbyen skole"), ("Åsen skole", "ÅSEN  SKOLE"), ("Straße", "STRASSE")]
)
def test_a_school_name_differing_only_in_case_is_taken_on_every_backend(client, db, world, login_as, first, second):
    from youthcouncil.membership.models import School

    login_as("coordinator")
    url = "/membership/schools/new"
    assert client.submit(url, {"name": first, "seats": "2", "deputy_seats": "1"}, page=url).status_code == 303
    response = client.submit(url, {"name": second, "seats": "2", "deputy_seats": "1"}, page=url)
    assert response.status_code in (200, 422)  # membership and accounts answer a form to fix with 200
    html = response.get_data(as_text=True)
    assert error_next_to(html, "name") == "Det finnes allerede en skole med det navnet."
    assert f'value="{html_lib.escape(second)}"' in html
    assert count(db, School, School.name_key == name_key(first)) == 1


def test_the_database_refuses_a_second_school_with_the_same_folded_name(db, world):
    """The unique key holds even when the check in the service is skipped (two requests at once)."""
    from youthcouncil.membership.models import School

    db.session.add(School(municipality=world.municipality, name="Østbyen skole"))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(School(municipality=world.municipality, name="ØSTBYEN SKOLE"))
        db.session.flush()
    db.session.rollback()


def test_a_school_renamed_to_another_s_folded_name_is_refused(client, db, world, login_as):
    login_as("coordinator")
    school = world.schools[1]
    url = f"/membership/schools/{school.id}"
    data = {"name": world.schools[0].name.upper(), "seats": str(school.seats), "deputy_seats": "1"}
    response = client.submit(url, data, page=url)
    assert response.status_code in (200, 422)  # membership and accounts answer a form to fix with 200
    assert error_next_to(response.get_data(as_text=True), "name") == "Det finnes allerede en skole med det navnet."


def test_usernames_are_unique_whatever_the_case(client, db, world, login_as):
    """Usernames are small ASCII letters (the form lowers them), so the unique column folds alike everywhere."""
    from youthcouncil.accounts.models import User

    login_as("coordinator")
    url = "/accounts/new"
    data = {"account_type": "clerk", "first_name": "Kari", "last_name": "Nordmann", "username": "Kari.N"}
    assert client.submit(url, data, page=url).status_code in (200, 303)
    assert count(db, User, User.username == "kari.n") == 1
    response = client.submit(url, {**data, "username": "KARI.n"}, page=url)
    assert response.status_code in (200, 422)  # membership and accounts answer a form to fix with 200
    assert "brukernavnet er tatt" in error_next_to(response.get_data(as_text=True), "username")
    assert count(db, User, User.username == "kari.n") == 1


@pytest.mark.parametrize("junk", ["²", "9223372036854775808", "-1"])
def test_a_junk_writer_or_version_id_is_a_bad_request_and_changes_nothing(client, db, world, login_as, junk):
    from tests.consultations.builders import make_discussed
    from youthcouncil.motions.models import Motion

    consultation = make_discussed(world)
    db.session.commit()
    login_as("chair")
    url = f"/consultations/{consultation.id}"
    assert client.submit(f"{url}/writer", {"writer": junk}, page=f"{url}/draft").status_code == 400
    assert client.submit(f"{url}/vote", {"version_id": junk}, page=url).status_code == 400
    db.session.expire_all()
    assert consultation.writer_id is None and count(db, Motion) == 0


@pytest.mark.parametrize("junk", ["²", "9223372036854775808"])
def test_merging_into_a_junk_proposal_id_is_refused_next_to_the_field(client, db, world, login_as, junk):
    from youthcouncil.safety_week.models import ProposalStatus

    round_ = sw.make_round(world)
    proposal = sw.add_proposal(round_, world.users["member"], "Nettvett")
    db.session.commit()
    login_as("coordinator")
    url = f"/safety-week/proposals/{proposal.id}/review"
    response = client.submit(url, {"decision": "merge", "merge_into": junk, "merged_title": ""}, page=url)
    assert response.status_code in (200, 422)
    assert error_next_to(response.get_data(as_text=True), "merge_into")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.proposed


#: Every query parameter a page reads (request.args), each given every junk id at once.
QUERY_NAMES = ("page", "year", "a", "b", "reply", "kind", "next", "summary")


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_a_junk_number_in_the_query_of_any_page_is_never_a_server_error(client, db, world, login_as, role):
    """``?page=99999999999999999999`` on the members' list used to reach the database and fail there (HTTP 500)."""
    consultation = make_opened(world)
    db.session.commit()
    login_as(role)
    pages = [
        rule.rule
        for rule in client.application.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/assets", "/static"))
    ]
    pages += [f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/versions"]
    failures = []
    for url in pages:
        for junk in BIG_IDS:
            query = "&".join(f"{name}={junk}" for name in QUERY_NAMES)
            try:
                status = client.get(f"{url}?{query}").status_code
            except Exception as error:  # noqa: BLE001 - each failure is listed, not only the first
                failures.append(f"{url}?{query}: {type(error).__name__}: {error}"[:200])
                continue
            if status >= 500:
                failures.append(f"{url}?{query}: {status}")
    assert not failures, failures


def test_a_members_list_page_past_any_id_shows_the_first_page(client, db, world, login_as):
    login_as("member")
    response = client.get("/membership/roster?page=99999999999999999999")
    assert response.status_code == 200
    assert world.users["member"].first_name in response.get_data(as_text=True)
