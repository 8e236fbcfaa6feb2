"""The shared access matrix, run over the safety-week endpoints only (so it can pass while other domains grow)."""

import pytest

from tests import test_access_matrix as matrix
from tests.conftest import ROLES


@pytest.fixture
def only_safety_week(monkeypatch):
    everything = matrix.rules
    monkeypatch.setattr(
        matrix, "rules", lambda app: (rule for rule in everything(app) if rule.endpoint.startswith("safety_week."))
    )
    monkeypatch.setattr(matrix, "domain_url_values", _values)


def _values(world):
    from tests.safety_week.matrix import url_values

    return url_values(world)


def test_every_safety_week_endpoint_declares_an_access_rule(app, only_safety_week):
    assert list(matrix.rules(app)), "no safety_week endpoints found"
    matrix.test_every_endpoint_declares_an_access_rule(app)


@pytest.mark.parametrize("role", ROLES)
def test_every_safety_week_endpoint_answers_each_role(app, db, world, role, only_safety_week):
    matrix.test_every_endpoint_answers_each_role_as_declared(app, db, world, role)


def test_no_safety_week_get_changes_the_database(app, db, world, only_safety_week):
    matrix.test_no_get_request_changes_the_database(app, db, world)
