"""Permission tables for tests/<domain>/test_permissions.py: one user per role, and a table checker.

A table is text: a header naming the columns (phases, states, or just "any"), then one row per role with ``Y`` (allowed)
or ``-`` (refused) in each column. ``assert_table`` works out every cell with the rule under test and fails with
both tables side by side when one cell differs, so a wrong expectation fails as surely as a wrong rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from tests.factories import make_member, make_term, make_user
from youthcouncil.accounts.models import AccountType
from youthcouncil.extensions import db
from youthcouncil.membership.models import Membership, Office, Seat, Term
from youthcouncil.membership.services import today_in_oslo

#: Every role the tables may name. "deputy" is a deputy seat (varamedlem: no vote); "vice_chair" is the chair's
#: deputy (nestleder); "inactive" is a member whose membership has ended (no roles at all); "other_clerk" is a clerk
#: who did not send the request in question (a table may leave out rows it has no use for).
ROLES = (
    "anonymous",
    "member",
    "deputy",
    "vice_chair",
    "chair",
    "inactive",
    "school_rep",
    "clerk",
    "other_clerk",
    "coordinator",
)


#: The commonest table: a rule about the user alone that only the coordinator passes.
ONLY_COORDINATOR = """
             any
anonymous    -
member       -
deputy       -
vice_chair   -
chair        -
inactive     -
school_rep   -
clerk        -
other_clerk  -
coordinator  Y
"""


def role_users(world) -> dict[str, object]:
    """One user per role in ``world`` (tests/factories.make_world): its own users, three more members, a clerk."""
    inactive = make_member(world.term, world.schools[1], first_name="Ferdig", username="ferdig")
    users = {
        "anonymous": AnonymousUserMixin(),
        "member": world.users["member"],
        "deputy": make_member(world.term, world.schools[1], seat=Seat.deputy, first_name="Vara", username="vara"),
        "vice_chair": make_member(
            world.term, world.schools[0], office=Office.vice_chair, first_name="Nina", username="nina"
        ),
        "chair": world.users["chair"],
        "inactive": inactive,
        "school_rep": world.users["school_rep"],
        "clerk": world.users["clerk"],
        "other_clerk": make_user(AccountType.clerk, first_name="Ola", username="ola"),
        "coordinator": world.users["coordinator"],
    }
    membership = db.session.scalars(sa.select(Membership).where(Membership.user_id == inactive.id)).one()
    membership.active = False
    db.session.flush()
    return users


def past_term() -> Term:
    """A term that ended months ago: for the "another term" columns (its chair is nobody's chair now)."""
    today = today_in_oslo()
    term = make_term(starts_on=today - timedelta(days=900), ends_on=today - timedelta(days=200), name="Før")
    db.session.flush()
    return term


def parse_table(text: str) -> tuple[list[str], dict[str, list[bool]]]:
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    columns, rows = lines[0], {}
    for role, *cells in lines[1:]:
        assert role in ROLES, f"unknown role {role!r} in a permission table"
        assert len(cells) == len(columns), f"row {role!r} has {len(cells)} cells for {len(columns)} columns"
        assert set(cells) <= {"Y", "-"}, f"row {role!r}: cells are Y or -"
        rows[role] = [cell == "Y" for cell in cells]
    return columns, rows


def _render(columns: list[str], rows: dict[str, list[bool]]) -> str:
    width = max(len(role) for role in rows)
    head = " " * width + "  " + " ".join(columns)
    body = [
        role.ljust(width)
        + "  "
        + " ".join(("Y" if ok else "-").ljust(len(c)) for ok, c in zip(cells, columns, strict=True))
        for role, cells in rows.items()
    ]
    return "\n".join([head, *body])


def assert_table(
    expected: str, users: dict[str, object], decide: Callable[[object, str], bool], *, one_sided: bool = False
) -> None:
    """``decide(user, column)`` is the rule under test for one cell; every cell must match ``expected``.

    A rule's own table needs both Y and - cells (else it cannot tell the rule from "always" or "never");
    ``one_sided=True`` is for a variant of a table that checks one condition turns every cell off.
    """
    columns, rows = parse_table(expected)
    if not one_sided:
        assert any(any(cells) for cells in rows.values()), "a table with no Y cannot tell a rule from 'never'"
        assert not all(all(cells) for cells in rows.values()), "a table with no - cannot tell a rule from 'always'"
    actual = {role: [bool(decide(users[role], column)) for column in columns] for role in rows}
    if actual != rows:
        raise AssertionError(
            "permission table differs\nexpected:\n" + _render(columns, rows) + "\nactual:\n" + _render(columns, actual)
        )
