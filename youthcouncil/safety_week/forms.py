"""Forms of the safety-week round. Dates and times are typed in Oslo time."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from youthcouncil.fields import OsloDateTimeField
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form, whole_number
from youthcouncil.safety_week.models import REASON_MAX, TITLE_MAX, WHY_MAX, Method

METHOD_LABELS = {
    Method.irv: _l("Ranked choice (instant-runoff): members put themes in order"),
    Method.approval: _l("Approval: members tick every theme they like"),
}


def _when(label):
    return OsloDateTimeField(
        label,
        description=_l("Norwegian time."),
        validators=[InputRequired(_l("Choose a date and a time."))],
    )


class RoundForm(Form):
    year = IntegerField(
        _l("Year"), validators=[InputRequired(_l("Write the year.")), NumberRange(2000, 2100, _l("Write a year."))]
    )
    title = StringField(
        _l("Name of the round"),
        description=_l("For example “Safety week 2027”."),
        validators=[DataRequired(_l("Write a name for the round.")), Length(max=120)],
    )
    proposing_opens_at = _when(_l("Proposing opens"))
    proposing_closes_at = _when(_l("Proposing closes"))
    voting_opens_at = _when(_l("Voting opens"))
    voting_closes_at = _when(_l("Voting closes"))
    method = RadioField(
        _l("How members vote"),
        description=_l("It cannot be changed once voting opens."),
        choices=[(method.value, label) for method, label in METHOD_LABELS.items()],
        default=Method.irv.value,
        validators=[DataRequired(_l("Choose how members vote."))],
    )


class ProposalForm(Form):
    title = StringField(
        _l("Theme"),
        description=_l(
            "A short name, at most %(max)s characters. For example “Safe on the way to school”.", max=TITLE_MAX
        ),
        validators=[DataRequired(_l("Write a short name for the theme.")), Length(max=TITLE_MAX)],
    )
    why = TextAreaField(
        _l("Why this theme? (optional)"),
        description=_l("At most %(max)s characters.", max=WHY_MAX),
        validators=[Optional(), Length(max=WHY_MAX)],
    )


DECISIONS = (
    ("keep", _l("Keep it: it goes to the vote")),
    ("merge", _l("Merge it with a proposal that says the same")),
    ("decline", _l("Decline it, with a kind reason")),
)


class ReviewForm(Form):
    decision = RadioField(_l("Your decision"), choices=DECISIONS, validators=[DataRequired(_l("Choose what to do."))])
    merge_into = SelectField(
        _l("Merge into"),
        description=_l("Only for “merge”. Both proposers get a message."),
        coerce=whole_number,
        default=0,
        validate_choice=False,
    )
    merged_title = StringField(
        _l("Name of the merged theme (optional)"),
        description=_l("Leave empty to keep the other proposal's name."),
        validators=[Optional(), Length(max=TITLE_MAX)],
    )
    reason = TextAreaField(
        _l("Kind reason (for “decline”)"),
        description=_l("The proposer will read this. Thank them and explain in plain words."),
        validators=[Optional(), Length(max=REASON_MAX)],
    )


class BallotForm(Form):
    """The ranks or ticks are read from the request by the view (one field per theme); this carries the key."""

    idempotency_key = HiddenField()


class ImportForm(Form):
    file = FileField(_l("PrefLib file (.soi, .soc, .toi or .toc)"))
    year = IntegerField(
        _l("Year"), validators=[InputRequired(_l("Write the year.")), NumberRange(2000, 2100, _l("Write a year."))]
    )
    title = StringField(
        _l("Name of the round"), validators=[DataRequired(_l("Write a name for the round.")), Length(max=120)]
    )
    method = RadioField(
        _l("How the votes are counted"),
        choices=[(method.value, label) for method, label in METHOD_LABELS.items()],
        default=Method.irv.value,
        validators=[DataRequired(_l("Choose how the votes are counted."))],
    )


class PhaseForm(Form):
    action = HiddenField()
