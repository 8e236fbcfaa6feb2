"""12 months after a term ends, former members' personal data is minimised; what remains is proven here."""

from __future__ import annotations

import types
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.factories import make_member, make_term
from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import ActivationCode, User
from youthcouncil.audit import AuditEvent
from youthcouncil.membership import signals
from youthcouncil.membership.models import Membership, Nomination, NominationStatus
from youthcouncil.membership.nominations import Candidate
from youthcouncil.membership.retention import retention_cutoff, run_retention
from youthcouncil.membership.services import today_in_oslo
from youthcouncil.membership.terms import close_term


@pytest.fixture
def old_term(db, world):
    """A term that ended 13 months ago, closed, with a former member, a continuing member and nominations."""
    ends_on = today_in_oslo() - timedelta(days=400)
    term = make_term(world.municipality, starts_on=ends_on - timedelta(days=700), ends_on=ends_on, name="Gammel")
    db.session.flush()
    former = make_member(term, world.schools[0], first_name="Gunnhild", last_name="Gammelsen", username="gunnhild")
    continuing = world.users["member"]
    db.session.add(Membership(term=term, user=continuing, school=world.schools[0]))
    accounts.issue_activation_code(former)
    approved = Candidate("Gunnhild", "Gammelsen", "9A", None, None)
    nomination = Nomination(
        term=term,
        school=world.schools[0],
        first_name=approved.first_name,
        last_name=approved.last_name,
        grade="9A",
        candidate_key="gunnhild gammelsen",
        age_band="13-14",
        why_me="Jeg vil hjelpe.",
        status=NominationStatus.approved,
        user=former,
    )
    rejected = Nomination(
        term=term,
        school=world.schools[0],
        first_name="Rolf",
        last_name="Avslått",
        grade="8B",
        candidate_key="rolf avslått",
        age_band="15-17",
        why_me="Fordi.",
        status=NominationStatus.rejected,
        rejection_reason="Flyttet fra kommunen.",
    )
    db.session.add_all([nomination, rejected])
    close_term(term, by=world.coordinator)
    db.session.commit()
    return types.SimpleNamespace(term=term, former=former, continuing=continuing, nominations=[nomination, rejected])


def test_former_members_are_minimised_and_what_remains_is_anonymous(db, world, old_term, in_request):
    result = run_retention()
    db.session.commit()
    assert result.users == 1 and result.nominations == 2
    db.session.expire_all()
    former = db.session.get(User, old_term.former.id)
    assert former.display_name == f"Tidligere medlem {former.id}"
    assert former.username.startswith("former-") and former.username != "gunnhild"
    assert former.passphrase_hash is None and former.active is False and former.anonymised_at is not None
    assert count(db, ActivationCode, ActivationCode.user_id == former.id) == 0
    # The membership stays (so counts and decisions keep adding up) but points at the anonymous account.
    assert count(db, Membership, Membership.user_id == former.id) == 1
    for nomination in old_term.nominations:
        fresh = db.session.get(Nomination, nomination.id)
        assert fresh.first_name == "Tidligere medlem"
        assert fresh.grade is None and fresh.age_band is None and fresh.why_me is None
        assert fresh.minimised_at is not None
        assert fresh.status == nomination.status  # the decision itself remains
    assert db.session.get(Nomination, old_term.nominations[1].id).rejection_reason == "-"
    # Nobody's real name or free text is left anywhere in these tables.
    dump = repr(db.session.execute(sa.select(User)).all()) + repr(db.session.execute(sa.select(Nomination)).all())
    for text in ("Gunnhild", "Gammelsen", "Rolf", "Avslått", "Jeg vil hjelpe", "Flyttet"):
        assert text not in dump
    # Someone still seated in a recent term keeps their name.
    assert db.session.get(User, old_term.continuing.id).first_name == "Mia"
    assert count(db, AuditEvent, AuditEvent.action == "retention.run") == 1


def test_retention_is_idempotent(db, world, old_term, in_request):
    run_retention()
    db.session.commit()
    snapshot = repr(db.session.execute(sa.select(User.username, User.first_name).order_by(User.id)).all())
    again = run_retention()
    db.session.commit()
    assert again.users == 0 and again.nominations == 0
    assert repr(db.session.execute(sa.select(User.username, User.first_name).order_by(User.id)).all()) == snapshot
    assert count(db, AuditEvent, AuditEvent.action == "retention.run") == 1


def test_a_term_that_ended_less_than_12_months_ago_is_left_alone(db, world, in_request):
    ends_on = today_in_oslo() - timedelta(days=300)
    term = make_term(world.municipality, starts_on=ends_on - timedelta(days=700), ends_on=ends_on)
    db.session.flush()
    recent = make_member(term, world.schools[0], first_name="Nylig", last_name="Ferdig")
    db.session.commit()
    assert run_retention().users == 0
    assert db.session.get(User, recent.id).first_name == "Nylig"


def test_retention_cutoff_is_12_months_back():
    assert retention_cutoff(date(2026, 11, 27)) == date(2025, 11, 27)
    assert retention_cutoff(date(2026, 3, 31)) == date(2025, 3, 28)
    assert retention_cutoff(date(2026, 1, 15)) == date(2025, 1, 15)


def test_other_domains_minimise_their_free_texts_through_the_signal(db, world, old_term, in_request):
    calls = []

    def minimise(sender, *, user_ids, **kwargs):
        calls.append(list(user_ids))
        return len(user_ids)

    with signals.minimise_personal_data.connected_to(minimise):
        result = run_retention()
        assert calls == [[old_term.former.id]]
        assert result.other_domains[__name__] == 1
        assert {"budget", "consultations", "safety_week"} <= set(result.other_domains)
        # Run again: the receiver is called again with the same former members (receivers must be idempotent too).
        run_retention()
    assert calls[-1] == [old_term.former.id]


def test_the_cli_command_runs_retention(app, db, world, old_term):
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Minimised 1 former member account(s) and 2 nomination(s)." in result.output
    db.session.expire_all()
    assert db.session.get(User, old_term.former.id).first_name == "Tidligere medlem"
    again = app.test_cli_runner().invoke(args=["retention", "run"])
    assert "Minimised 0 former member account(s) and 0 nomination(s)." in again.output


def test_open_term_nominations_are_untouched(db, world, old_term, in_request):
    term = make_open_term(world.municipality)
    db.session.flush()
    live = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Levende", why_me="Hei")
    db.session.commit()
    run_retention()
    db.session.expire_all()
    fresh = db.session.get(Nomination, live.id)
    assert fresh.first_name == "Levende" and fresh.why_me == "Hei"


def test_the_neutral_label_is_in_the_municipalitys_language_whoever_runs_it(app, db, world):
    from datetime import timedelta

    from tests.factories import make_term

    ends_on = today_in_oslo() - timedelta(days=400)
    old = make_term(world.municipality, starts_on=ends_on - timedelta(days=700), ends_on=ends_on, name="Gammel")
    db.session.flush()
    former = make_member(old, world.schools[0], first_name="Gunnhild", last_name="Gammelsen")
    db.session.commit()
    with app.test_request_context(headers={"Cookie": "yc_lang=en"}):
        from flask_babel import gettext

        assert gettext("Former member") == "Former member"  # the request really is English
        run_retention()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, former.id).first_name == "Tidligere medlem"
