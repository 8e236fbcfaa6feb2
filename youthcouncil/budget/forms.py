from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from youthcouncil.budget.models import Feasibility, Rule
from youthcouncil.budget.money import kroner
from youthcouncil.fields import DayField, OsloDateTimeField
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form

MONTHS = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


#: The most any amount can be: well inside the integer column (PostgreSQL's ``integer`` ends at 2 147 483 647),
#: so a total and its grants can never overflow it.
MAX_KRONER = 1_000_000_000


class KronerField(IntegerField):
    """Whole kroner. Accepts "5000", "5 000", "kr 5 000" and "5000,-"; anything else gets a clear message."""

    widget = TextInput()  # a text box, so "5 000" can be typed; inputmode="numeric" brings up the digits

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = str(valuelist[0]).strip().lower()
        for junk in ("kr", "nok", ",-", ".-", " ", "\u00a0", "\u202f"):
            text = text.replace(junk, "")
        if text.endswith((",00", ".00")):
            text = text[:-3]
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):  # "42,000" (English) or "42.000": thousands, not decimals
            text = text.replace(",", "").replace(".", "")
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Write the amount as a whole number of kroner, like 5000.")) from None
        if abs(self.data) > MAX_KRONER:
            self.data = None
            raise ValueError(_l("Write an amount of at most %(max)s.", max=kroner(MAX_KRONER)))


def _month_choices():
    return [(0, _l("— choose —"))] + [(number, label) for number, label in enumerate(MONTHS, start=1)]


class YearForm(Form):
    name = StringField(
        _l("Name"),
        description=_l("For example “Budget 2027”."),
        validators=[DataRequired(_l("Give the budget year a name.")), Length(max=80)],
    )
    total = KronerField(
        _l("The whole budget (kroner)"),
        validators=[
            InputRequired(_l("Write the budget in whole kroner.")),
        ],
    )
    proposing_starts = OsloDateTimeField(
        _l("Proposing starts"), validators=[DataRequired(_l("Choose a date and time."))]
    )
    feasibility_starts = OsloDateTimeField(
        _l("Feasibility check starts (proposing ends)"),
        validators=[DataRequired(_l("Choose a date and time."))],
    )
    voting_starts = OsloDateTimeField(_l("Voting starts"), validators=[DataRequired(_l("Choose a date and time."))])
    voting_ends = OsloDateTimeField(_l("Voting ends"), validators=[DataRequired(_l("Choose a date and time."))])
    decided_by = DayField(_l("Decided by (the chair confirms)"), validators=[Optional()])
    rule = RadioField(
        _l("Outcome rule"),
        description=_l("Chosen before voting opens. It cannot change after that."),
        choices=[
            (Rule.greedy.value, _l("Most votes first: take each event that still fits the budget")),
            (Rule.mes.value, _l("Equal Shares: every voter gets an equal share of the budget to spend")),
        ],
        default=Rule.greedy.value,
        validators=[DataRequired(_l("Choose an outcome rule."))],
    )
    comparison = BooleanField(
        _l("Equal Shares: use the most-votes outcome instead if more voters prefer it"),
    )


class EventForm(Form):
    title = StringField(
        _l("Name of the event"), validators=[DataRequired(_l("Give the event a name.")), Length(max=120)]
    )
    description = TextAreaField(
        _l("What happens, and for whom?"),
        validators=[DataRequired(_l("Tell us what happens and who it is for.")), Length(max=4000)],
    )
    estimated_cost = KronerField(
        _l("What does it cost? (kroner)"),
        description=_l("Your best guess, in whole kroner. For example 5000."),
        validators=[InputRequired(_l("Write the cost in whole kroner."))],
    )
    month = SelectField(_l("Month"), coerce=int, choices=_month_choices)
    on_behalf_of = StringField(
        _l("On behalf of (school or partner organisation)"),
        description=_l("Only when you propose for someone else."),
        validators=[Optional(), Length(max=120)],
    )

    def validate_month(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a month."))


class CheckForm(Form):
    verdict = RadioField(
        _l("Is the event feasible?"),
        choices=[
            (Feasibility.feasible.value, _l("Feasible")),
            (Feasibility.adjusted.value, _l("Feasible, with another cost")),
            (Feasibility.not_feasible.value, _l("Not feasible")),
        ],
        validators=[DataRequired(_l("Choose feasible, feasible with another cost, or not feasible."))],
    )
    approved_cost = KronerField(
        _l("Adjusted cost (kroner)"),
        description=_l("Only for “feasible, with another cost”."),
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("Why? (the proposer sees this)"),
        description=_l("Needed for another cost or not feasible. Use plain words."),
        validators=[Optional(), Length(max=2000)],
    )


class BallotForm(Form):
    #: A new value with each page, so a double-click or a resent form counts once.
    idempotency_key = HiddenField()


class SpendingForm(Form):
    amount = KronerField(_l("Amount (kroner)"), validators=[InputRequired(_l("Write the amount in whole kroner."))])
    spent_on = DayField(_l("Date"), validators=[DataRequired(_l("Choose the date."))])
    what_for = StringField(
        _l("What was it for?"), validators=[DataRequired(_l("Write what the money was spent on.")), Length(max=200)]
    )


class GrantRequestForm(Form):
    title = StringField(
        _l("Name of the event"), validators=[DataRequired(_l("Give the event a name.")), Length(max=120)]
    )
    description = TextAreaField(
        _l("What happens, and for whom?"),
        validators=[DataRequired(_l("Tell us what happens and who it is for.")), Length(max=4000)],
    )
    amount = KronerField(
        _l("How much money? (kroner)"), validators=[InputRequired(_l("Write the amount in whole kroner."))]
    )
    month = SelectField(_l("Month"), coerce=int, choices=_month_choices)

    def validate_month(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a month."))


class ImportForm(Form):
    name = StringField(
        _l("Name"), description=_l("Leave empty to use the name in the file."), validators=[Optional(), Length(max=80)]
    )
    file = FileField(_l(".pb file"), description=_l("A pabulib file with META, PROJECTS and VOTES."))
