"""URL values for the membership endpoints in the access matrix (the rep of world.schools[0] is allowed)."""

from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.extensions import db
from youthcouncil.membership.models import Membership


def url_values(world) -> dict[str, dict]:
    school = world.schools[0]
    term = make_open_term(world.municipality)
    db.session.flush()
    rep = world.users["school_rep"]
    pending = make_nomination(term, school, rep, age=12)
    membership = db.session.query(Membership).filter_by(user_id=world.users["member"].id).one()
    return {
        "membership.school_edit": {"school_id": school.id},
        "membership.rep_create": {"school_id": school.id},
        "membership.term_edit": {"term_id": term.id},
        "membership.term_close": {"term_id": term.id},
        "membership.term_delete": {"term_id": term.id},
        "membership.school_nominations": {"term_id": term.id, "school_id": school.id},
        "membership.nomination_create": {"term_id": term.id, "school_id": school.id},
        "membership.nomination_edit": {"nomination_id": pending.id},
        "membership.nomination_withdraw": {"nomination_id": pending.id},
        "membership.nomination_approve": {"nomination_id": pending.id},
        "membership.nomination_reject": {"nomination_id": pending.id},
        "membership.nomination_consent": {"nomination_id": pending.id},
        "membership.activation_sheets": {"term_id": term.id, "school_id": school.id},
        "membership.set_office": {"membership_id": membership.id},
    }
