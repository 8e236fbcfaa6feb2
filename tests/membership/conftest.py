import pytest


@pytest.fixture
def in_request(app):
    """Services translate their messages; outside a request the locale selector has no cookie to read."""
    with app.test_request_context():
        yield
