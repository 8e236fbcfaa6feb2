import pytest


@pytest.fixture
def req(app):
    """A request context, for services whose error messages are translated for the user."""
    with app.test_request_context():
        yield
