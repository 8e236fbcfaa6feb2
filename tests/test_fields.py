"""The one datetime-local field: typed in Norwegian time, stored in UTC, shown in Norwegian time again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from youthcouncil.budget.forms import YearForm
from youthcouncil.fields import OsloDateTimeField
from youthcouncil.safety_week.forms import RoundForm


class _Form(FlaskForm):
    class Meta:
        csrf = False

    when = OsloDateTimeField()


@pytest.mark.parametrize(
    "typed, utc",
    [
        ("2026-07-01T18:00", datetime(2026, 7, 1, 16, 0, tzinfo=UTC)),  # summer time, UTC+2
        ("2026-01-15T18:00", datetime(2026, 1, 15, 17, 0, tzinfo=UTC)),  # winter time, UTC+1
        ("2026-03-29T03:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # the first hour of summer time
    ],
)
def test_typed_norwegian_time_is_the_right_moment_and_shows_again_as_typed(app, typed, utc):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"when": typed}))
        assert form.validate()
        assert form.when.data == utc
        assert _Form(formdata=None, data={"when": utc}).when._value() == typed


def test_a_value_that_is_no_time_is_refused(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"when": "tomorrow"}))
        assert not form.validate()
        assert form.when.data is None and form.when.errors


def test_every_date_and_time_field_of_the_forms_is_the_oslo_field():
    for form_class in (YearForm, RoundForm):
        kinds = {
            name: field.field_class
            for name, field in vars(form_class).items()
            if "DateTime" in getattr(getattr(field, "field_class", None), "__name__", "")
        }
        assert kinds and set(kinds.values()) == {OsloDateTimeField}, kinds
