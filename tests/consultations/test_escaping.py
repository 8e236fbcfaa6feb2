"""Uploaded file names and typed text cannot escape a folder or inject markup."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.consultations.builders import PDF, make_opened
from youthcouncil.consultations import services
from youthcouncil.consultations.models import Attachment
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo

# --- Uploads: names that try to escape or inject -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.pdf",
        "..\\..\\windows\\evil.pdf",
        '<img src=x onerror="alert(1)">.pdf',
        "<script>alert(1)</script>",
    ],
)
def test_a_file_name_with_a_path_or_html_is_harmless(app, client, login_as, db, world, name):
    login_as("clerk")
    deadline = (to_oslo(utcnow()).date() + timedelta(days=30)).isoformat()
    data = {
        "title": "Navn",
        "case_number": "2026/1",
        "case_text": "Tekst.",
        "summary": "Kort. Enkelt.",
        "questions": "",
        "deadline": deadline,
        "attachments": (io.BytesIO(PDF), name),
    }
    response = client.submit("/consultations/new", data, page="/consultations/new", content_type="multipart/form-data")
    assert response.status_code == 303
    attachment = db.session.scalars(sa.select(Attachment)).one()
    assert "/" not in attachment.filename and "\\" not in attachment.filename
    assert "<" not in attachment.filename and ">" not in attachment.filename and ".." not in attachment.filename
    assert attachment.filename.endswith(".pdf")
    stored = services.attachment_path(attachment)
    assert stored.parent == services.upload_folder() and re.fullmatch(r"[0-9a-f]{40}", stored.name)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    download = client.get(f"/consultations/{attachment.consultation_id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "/" not in disposition and "<" not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_user_text_is_escaped_everywhere(client, login_as, db, world, in_request):
    evil = '<script>alert("x")</script>'
    consultation = make_opened(world, title=f"Tittel {evil}", summary=f"Kort {evil}")
    services.add_comment(consultation, world.users["member"], f"Kommentar {evil}")
    services.save_draft(consultation, world.chair, f"Svar {evil}\nlinje to")
    db.session.commit()
    cid = consultation.id
    login_as("member")
    for url in (f"/consultations/{cid}", f"/consultations/{cid}/versions", "/consultations/", "/home"):
        page = client.get(url).get_data(as_text=True)
        assert evil not in page, url
        assert "&lt;script&gt;" in page, url
