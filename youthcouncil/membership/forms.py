from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from youthcouncil.fields import DayField
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form

MONTHS = [
    (1, _l("January")),
    (2, _l("February")),
    (3, _l("March")),
    (4, _l("April")),
    (5, _l("May")),
    (6, _l("June")),
    (7, _l("July")),
    (8, _l("August")),
    (9, _l("September")),
    (10, _l("October")),
    (11, _l("November")),
    (12, _l("December")),
]


class WholeNumberField(IntegerField):
    """An IntegerField whose "not a number" message is ours (plain words, in the user's language) and said once."""

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError(str(self.invalid_message or _l("Write a whole number, such as 7."))) from error

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the message above is enough; no second one from the range check


def _month(value) -> int:
    """The month from the form; anything that is not a number counts as "not chosen" (0)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class SchoolForm(Form):
    name = StringField(
        _l("Name of the school"), validators=[DataRequired(_l("Write the school's name.")), Length(max=120)]
    )
    seats = WholeNumberField(
        _l("Member seats"),
        description=_l("How many members this school sends to the council."),
        invalid_message=_l("Write a number from 0 to 20."),
        validators=[
            InputRequired(_l("Write a number from 0 to 20.")),
            NumberRange(0, 20, _l("Write a number from 0 to 20.")),
        ],
    )
    deputy_seats = WholeNumberField(
        _l("Deputy seats"),
        description=_l("How many deputies (varamedlemmer) this school sends."),
        invalid_message=_l("Write a number from 0 to 20."),
        validators=[
            InputRequired(_l("Write a number from 0 to 20.")),
            NumberRange(0, 20, _l("Write a number from 0 to 20.")),
        ],
    )


class TermForm(Form):
    name = StringField(
        _l("Name"),
        description=_l("Such as 2026–2028."),
        validators=[DataRequired(_l("Give the term a name, such as 2026–2028.")), Length(max=60)],
    )
    starts_on = DayField(_l("First day"), validators=[InputRequired(_l("Choose the first day of the term."))])
    ends_on = DayField(
        _l("Last day"),
        description=_l("At most two years after the first day."),
        validators=[InputRequired(_l("Choose the last day of the term."))],
    )
    nomination_deadline = DayField(
        _l("Last day for nominations"),
        description=_l("Schools can nominate until the end of this day."),
        validators=[InputRequired(_l("Choose the last day for nominations."))],
    )


class RepForm(Form):
    first_name = StringField(_l("First name"), validators=[DataRequired(_l("Write the first name.")), Length(max=60)])
    last_name = StringField(_l("Last name"), validators=[Length(max=60)])
    username = StringField(
        _l("Username"),
        description=_l("Leave empty to make one from the name."),
        validators=[Optional(), Length(min=2, max=40)],
    )


class NominationForm(Form):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Write the candidate's first name.")), Length(max=60)]
    )
    last_name = StringField(
        _l("Last name"),
        description=_l("Only the coordinator and the council see the last name."),
        validators=[DataRequired(_l("Write the candidate's last name.")), Length(max=60)],
    )
    grade = StringField(
        _l("Class"),
        description=_l("Such as 7B."),
        validators=[DataRequired(_l("Write the candidate's class, such as 7B.")), Length(max=20)],
    )
    birth_year = WholeNumberField(
        _l("Year of birth"),
        description=_l("Only used to check the age. We keep only an age group."),
        invalid_message=_l("Write the year the candidate was born, such as 2013."),
        validators=[InputRequired(_l("Write the year the candidate was born, such as 2013."))],
    )
    birth_month = SelectField(
        _l("Month of birth"),
        coerce=_month,
        choices=[(0, _l("— choose —"))] + MONTHS,
        default=0,
        validate_choice=False,
    )
    why_me = TextAreaField(
        _l("Why me? (optional)"),
        description=_l("In the candidate's own words. At most 500 characters."),
        validators=[Optional(), Length(max=500, message=_l("Use at most 500 characters."))],
    )
    position = WholeNumberField(
        _l("Place in your school's list"),
        description=_l("1 is first. The first ones get the member seats, the rest become deputies."),
        invalid_message=_l("Write a number from 1 to 99."),
        validators=[Optional(), NumberRange(1, 99, _l("Write a number from 1 to 99."))],
    )

    def validate_birth_month(self, field):
        if not field.data or not 1 <= field.data <= 12:
            raise ValidationError(_l("Choose a month from January to December."))


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The school rep sees this. Keep it short and kind."),
        validators=[DataRequired(_l("Write a short reason. The school rep will see it.")), Length(max=300)],
    )


class ConsentForm(Form):
    confirmed = BooleanField(
        _l("A guardian has said yes to this pupil being a member"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    given_on = DayField(
        _l("Day the guardian said yes"), validators=[InputRequired(_l("Choose the day the guardian said yes."))]
    )
