from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

MONTHS = [
    (1, _l("January")), (2, _l("February")), (3, _l("March")), (4, _l("April")), (5, _l("May")), (6, _l("June")),
    (7, _l("July")), (8, _l("August")), (9, _l("September")), (10, _l("October")), (11, _l("November")),
    (12, _l("December")),
]


class SchoolForm(FlaskForm):
    name = StringField(
        _l("Name of the school"), validators=[DataRequired(_l("Write the school's name.")), Length(max=120)]
    )
    seats = IntegerField(
        _l("Member seats"),
        description=_l("How many members this school sends to the council."),
        validators=[
            InputRequired(_l("Write a number from 0 to 20.")), NumberRange(0, 20, _l("Write a number from 0 to 20."))
        ],
    )
    deputy_seats = IntegerField(
        _l("Deputy seats"),
        description=_l("How many deputies (varamedlemmer) this school sends."),
        validators=[
            InputRequired(_l("Write a number from 0 to 20.")), NumberRange(0, 20, _l("Write a number from 0 to 20."))
        ],
    )


class TermForm(FlaskForm):
    name = StringField(
        _l("Name"), description=_l("Such as 2026–2028."),
        validators=[DataRequired(_l("Give the term a name, such as 2026–2028.")), Length(max=60)],
    )
    starts_on = DateField(
        _l("First day"), validators=[InputRequired(_l("Choose the first day of the term."))]
    )
    ends_on = DateField(
        _l("Last day"), description=_l("At most two years after the first day."),
        validators=[InputRequired(_l("Choose the last day of the term."))],
    )
    nomination_deadline = DateField(
        _l("Last day for nominations"),
        description=_l("Schools can nominate until the end of this day."),
        validators=[InputRequired(_l("Choose the last day for nominations."))],
    )


class RepForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(_l("Write the first name.")), Length(max=60)])
    last_name = StringField(_l("Last name"), validators=[Length(max=60)])
    username = StringField(
        _l("Username"), description=_l("Leave empty to make one from the name."),
        validators=[Optional(), Length(min=2, max=40)],
    )


class NominationForm(FlaskForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Write the candidate's first name.")), Length(max=60)]
    )
    last_name = StringField(
        _l("Last name"), description=_l("Only the coordinator and the council see the last name."),
        validators=[DataRequired(_l("Write the candidate's last name.")), Length(max=60)],
    )
    grade = StringField(
        _l("Class"), description=_l("Such as 7B."),
        validators=[DataRequired(_l("Write the candidate's class, such as 7B.")), Length(max=20)],
    )
    birth_year = IntegerField(
        _l("Year of birth"), description=_l("Only used to check the age. We keep only an age group."),
        validators=[InputRequired(_l("Write the year the candidate was born, such as 2013."))],
    )
    birth_month = SelectField(
        _l("Month of birth"), coerce=int, choices=[(0, _l("— choose —"))] + MONTHS, default=0,
        validate_choice=False,
    )
    why_me = TextAreaField(
        _l("Why me? (optional)"), description=_l("In the candidate's own words. At most 500 characters."),
        validators=[Optional(), Length(max=500, message=_l("Use at most 500 characters."))],
    )
    position = IntegerField(
        _l("Place in your school's list"),
        description=_l("1 is first. The first ones get the member seats, the rest become deputies."),
        validators=[Optional(), NumberRange(1, 99, _l("Write a number from 1 to 99."))],
    )

    def validate_birth_month(self, field):
        from wtforms.validators import ValidationError

        if not field.data or not 1 <= field.data <= 12:
            raise ValidationError(_l("Choose a month from January to December."))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), description=_l("The school rep sees this. Keep it short and kind."),
        validators=[DataRequired(_l("Write a short reason. The school rep will see it.")), Length(max=300)],
    )


class ConsentForm(FlaskForm):
    confirmed = BooleanField(
        _l("A guardian has said yes to this pupil being a member"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    given_on = DateField(
        _l("Day the guardian said yes"), validators=[InputRequired(_l("Choose the day the guardian said yes."))]
    )
