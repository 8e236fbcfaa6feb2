"""The clerk's request: the form, the plain-language summary with LIX, PDF uploads, corrections, withdrawal."""

import gc
import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import count, log_in
from tests.consultations.builders import PDF, FakeFile, make_opened, make_request, request_form
from tests.factories import make_user
from youthcouncil.consultations import readability, services
from youthcouncil.consultations.models import Attachment, Consultation, Status
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo


def _form(days=30, **overrides):
    return request_form(to_oslo(utcnow()).date() + timedelta(days=days), **overrides)


def test_lix_counts_words_sentences_and_long_words():
    result = readability.lix("Katten sitter. Hunden løper fort.")
    # 5 words, 2 sentences, no word longer than 6 letters -> 2.5, rounded half up to 3
    assert (result.words, result.sentences, result.long_words, result.lix) == (5, 2, 0, 3)
    hard = readability.lix("Kommunestyret behandler reguleringsplanforslaget vedrørende infrastrukturinvesteringer")
    assert hard.is_hard and hard.lix > 35
    assert readability.lix("   ") is None


def test_clerk_sends_a_request_with_a_pdf_and_members_are_told(client, login_as, db, world):
    from youthcouncil.notifications.models import Notification

    login_as("clerk")
    data = _form(days=30)
    data["attachments"] = (io.BytesIO(PDF), "sak 1.pdf")
    response = client.submit("/consultations/new", data, page="/consultations/new", content_type="multipart/form-data")
    assert response.status_code == 303
    consultation = db.session.scalars(sa.select(Consultation)).one()
    assert consultation.status == Status.sent and consultation.clerk_id == world.clerk.id
    [attachment] = consultation.attachments
    stored = services.attachment_path(attachment)
    assert stored.read_bytes() == PDF
    assert "static" not in stored.parts and attachment.stored_name != "sak 1.pdf"
    # Every member of the council is told, in the same transaction.
    assert count(db, Notification, Notification.user_id == world.users["member"].id) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ny skatepark" in page and "sak 1.pdf" in page


def test_a_short_deadline_is_allowed_but_warned(client, login_as, db, world):
    login_as("clerk")
    response = client.submit("/consultations/new", _form(days=10), page="/consultations/new", follow_redirects=True)
    assert response.status_code == 200
    assert "mindre enn 3 uker" in response.get_data(as_text=True)
    assert count(db, Consultation) == 1


def test_summary_is_required_and_at_most_600_characters(client, login_as, db, world):
    login_as("clerk")
    response = client.submit("/consultations/new", _form(summary=""), page="/consultations/new")
    assert response.status_code == 422
    response = client.submit("/consultations/new", _form(summary="a" * 601), page="/consultations/new")
    assert response.status_code == 422
    assert "600" in response.get_data(as_text=True)
    assert count(db, Consultation) == 0


def test_the_lix_hint_shows_after_a_failed_save_and_live(client, login_as, world):
    login_as("clerk")
    hard = "Kommunestyret behandler reguleringsplanforslaget vedrørende infrastrukturinvesteringer."
    page = client.submit("/consultations/new", _form(summary=hard, title=""), page="/consultations/new")
    text = page.get_data(as_text=True)
    assert "LIX" in text and "vanskelig" in text.lower()
    fragment = client.get(
        "/consultations/readability",
        query_string={"summary": "Vi leker. Det er gøy."},
        headers={"HX-Request": "true", "HX-Target": "lix-hint"},
    )
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and 'id="lix-hint"' in body and "<html" not in body


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ([(b"", "tom.pdf")], 422, "tom.pdf er tom"),
        ([(b"<html>hei</html>", "falsk.pdf")], 422, "ikke en PDF"),
        ([(PDF, f"f{i}.pdf") for i in range(6)], 422, "høyst 5"),
        ([(b"%PDF-" + b"0" * (10 * 1024 * 1024), "stor.pdf")], 413, "større enn 10 MB"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_typed_is_lost(client, login_as, db, world, files, status, words):
    login_as("clerk")
    data = _form(title="Mitt lange arbeid", case_text="Dette skrev jeg lenge på.")
    data["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    response = client.submit("/consultations/new", data, page="/consultations/new", content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert words in body
    assert "Mitt lange arbeid" in body and "Dette skrev jeg lenge på." in body
    assert count(db, Consultation) == 0 and count(db, Attachment) == 0


# The test client sends a body over 500 KB from a temporary file of its own (werkzeug.test), which nothing closes:
# collected here, so the unclosed-file report lands in this test, where it is expected, and not in a later one.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_case_text_over_the_form_memory_limit_says_the_text_is_too_long(app, client, login_as, db, world):
    """A pasted case text over Werkzeug's MAX_FORM_MEMORY_SIZE is refused before the form is read: the page says
    the text is too long, not that the files are too big."""
    login_as("clerk")
    data = _form(case_text="æ" * app.config["MAX_FORM_MEMORY_SIZE"])
    data["attachments"] = (io.BytesIO(PDF), "liten.pdf")
    response = client.submit("/consultations/new", data, page="/consultations/new", content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Teksten du sendte er for lang" in body and "Tilbake" in body
    assert "for store" not in body and "for stor" not in body
    assert count(db, Consultation) == 0
    del response
    gc.collect()


# Werkzeug leaves the spooled temporary file of a refused (too large) upload for the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_more_than_the_whole_upload_limit_gets_a_friendly_413_page(app, client, login_as, world):
    login_as("clerk")
    token = client.csrf_token("/consultations/new")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        data = _form()
        data["csrf_token"] = token
        data["attachments"] = (io.BytesIO(PDF + b"0" * 4096), "stor.pdf")
        response = client.post("/consultations/new", data=data, content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 60 * 1024 * 1024
    assert response.status_code == 413
    assert "Tilbake" in response.get_data(as_text=True)
    del response
    gc.collect()


def test_attachments_are_served_only_to_logged_in_people_who_may_see_the_request(app, client, login_as, db, world):
    consultation = make_request(world.clerk, files=[FakeFile("sak.pdf", PDF)])
    db.session.commit()
    url = f"/consultations/{consultation.id}/attachments/{consultation.attachments[0].id}"
    login_as("member")
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    login_as("anonymous")
    assert "/login" in client.get(url).headers["Location"]
    other_clerk = make_user("clerk")
    db.session.commit()
    log_in(client, other_clerk)
    assert client.get(url).status_code == 403
    # Another request's id with this attachment id: not found.
    second = make_request(world.clerk)
    db.session.commit()
    login_as("member")
    assert client.get(f"/consultations/{second.id}/attachments/{consultation.attachments[0].id}").status_code == 404
    assert not Path(app.static_folder).joinpath(consultation.attachments[0].stored_name).exists()


def test_clerk_corrects_until_opened_and_can_withdraw(client, login_as, db, world, in_request):
    consultation = make_request(world.clerk, files=[FakeFile("a.pdf", PDF)])
    db.session.commit()
    login_as("clerk")
    url = f"/consultations/{consultation.id}/edit"
    data = _form(title="Rettet tittel")
    data["remove"] = str(consultation.attachments[0].id)
    response = client.submit(url, data, page=url)
    assert response.status_code == 303
    db.session.expire_all()
    assert consultation.title == "Rettet tittel" and consultation.attachments == []

    services.open_request(consultation, world.chair)
    db.session.commit()
    response = client.submit(
        url, _form(title="For sent"), page=f"/consultations/{consultation.id}", follow_redirects=True
    )
    assert "kan ikke lenger endres" in response.get_data(as_text=True)
    db.session.expire_all()
    assert consultation.title == "Rettet tittel"

    url, page = f"/consultations/{consultation.id}/withdraw", f"/consultations/{consultation.id}"
    # Withdrawing asks first, saying what stops; the first tap withdraws nothing.
    response = client.submit(url, page=page)
    assert response.status_code == 200 and 'name="confirm"' in response.get_data(as_text=True)
    assert "Rådet har jobbet med den: 0 kommentarer og 0 versjoner av et svar." in response.get_data(as_text=True)
    db.session.expire_all()
    assert consultation.status != Status.withdrawn
    response = client.submit(url, {"confirm": "y"}, page=page)
    assert response.status_code == 303
    db.session.expire_all()
    assert consultation.status == Status.withdrawn


def test_another_clerk_cannot_see_or_change_a_request(client, db, world):
    consultation = make_request(world.clerk)
    other = make_user("clerk")
    db.session.commit()
    log_in(client, other)
    for url in (f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/edit"):
        assert client.get(url).status_code == 403
    assert client.submit(f"/consultations/{consultation.id}/withdraw").status_code == 403
    assert "Ny skatepark" not in client.get("/consultations/").get_data(as_text=True)


def test_members_see_the_request_on_their_home_page_with_days_left(client, login_as, db, world):
    make_opened(world, days=9)
    db.session.commit()
    login_as("member")
    page = client.get("/home").get_data(as_text=True)
    assert "Ny skatepark" in page and "9 dager igjen" in page


def test_an_upload_whose_transaction_is_rolled_back_leaves_no_file(app, db, world, in_request):
    folder = services.upload_folder()
    before = set(folder.iterdir())
    consultation = make_request(world.clerk, files=[FakeFile("sak.pdf", PDF)])
    written = services.attachment_path(consultation.attachments[0])
    assert written.read_bytes() == PDF  # on disk before the commit, so the commit finds it
    db.session.rollback()
    assert not written.exists()
    assert set(folder.iterdir()) == before


def test_a_removed_attachment_s_file_goes_only_when_the_removal_is_committed(app, db, world, in_request):
    consultation = make_request(world.clerk, files=[FakeFile("a.pdf", PDF), FakeFile("b.pdf", PDF)])
    db.session.commit()
    first, second = consultation.attachments
    first_path, second_path = services.attachment_path(first), services.attachment_path(second)
    fields = dict(
        title=consultation.title,
        case_number=consultation.case_number,
        case_text=consultation.case_text,
        summary=consultation.summary,
        deadline=services.deadline_day(consultation),
    )
    services.update_request(consultation, world.clerk, **fields, files=[FakeFile("c.pdf", PDF)], remove_ids=[first.id])
    added_path = services.attachment_path(consultation.attachments[-1])
    assert first_path.exists() and added_path.exists()
    db.session.rollback()  # e.g. the database refused the commit: the request is as it was, files included
    assert first_path.exists() and second_path.exists() and not added_path.exists()

    consultation = db.session.get(Consultation, consultation.id)
    services.update_request(consultation, world.clerk, **fields, remove_ids=[first.id])
    assert first_path.exists()
    db.session.commit()
    assert not first_path.exists() and second_path.exists()
