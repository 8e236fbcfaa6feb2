import pytest

from tests.membership.builders import make_open_term


@pytest.fixture
def term(db, world):
    """An open term of the world's municipality."""
    term = make_open_term(world.municipality)
    db.session.commit()
    return term
