from wtforms import BooleanField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from youthcouncil.consultations.models import COMMENT_MAX, SUMMARY_MAX
from youthcouncil.fields import DayField
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form, parse_id, whole_number


class RequestForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Write a title.")), Length(max=200)])
    case_number = StringField(
        _l("Case number"),
        description=_l("The city's case number, for example 2026/1234."),
        validators=[DataRequired(_l("Write the case number.")), Length(max=40)],
    )
    case_text = TextAreaField(
        _l("Case text"),
        description=_l("The case as the city council gets it."),
        validators=[DataRequired(_l("Write the case text."))],
    )
    summary = TextAreaField(
        _l("Summary in plain words"),
        description=_l("For 10–17-year-olds: short sentences, everyday words, at most 600 characters."),
        validators=[
            DataRequired(_l("Write a short summary in plain words for the council.")),
            Length(max=SUMMARY_MAX, message=_l("The summary can be at most 600 characters.")),
        ],
    )
    questions = TextAreaField(
        _l("Questions for the council (optional)"),
        description=_l("One question on each line, if you want answers to something specific."),
        validators=[Optional(), Length(max=4000)],
    )
    deadline = DayField(
        _l("Deadline for the response"),
        validators=[DataRequired(_l("Choose the deadline."))],
        description=_l("Give the council at least 3 weeks if you can."),
    )
    attachments = MultipleFileField(
        _l("PDF attachments (optional)"),
        description=_l("Up to 5 PDF files, at most 10 MB each."),
    )


class EditRequestForm(RequestForm):
    remove = HiddenField()


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        description=_l("Plain text, at most 2000 characters. Be kind."),
        validators=[
            DataRequired(_l("Write something first.")),
            Length(max=COMMENT_MAX, message=_l("A comment can be at most 2000 characters.")),
        ],
    )
    parent_id = HiddenField()


class HideForm(Form):
    reason = TextAreaField(
        _l("Why is it hidden?"),
        description=_l("Kept in the log. The member sees that the comment was hidden."),
        validators=[DataRequired(_l("Write why the comment is hidden.")), Length(max=500)],
    )


class DraftForm(Form):
    body = TextAreaField(
        _l("The council's response"),
        description=_l("Each save becomes a new version. Nothing is lost."),
        validators=[DataRequired(_l("Write the response first.")), Length(max=20000)],
    )


class WriterForm(Form):
    writer = SelectField(_l("Writer"), coerce=whole_number, validate_choice=False)


class OpenVoteForm(Form):
    version_id = SelectField(_l("Version to vote on"), coerce=whole_number, validate_choice=False)
    secret = BooleanField(_l("Secret vote (nobody sees who voted what)"))


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Why will the council not respond?"),
        description=_l("The clerk sees this."),
        validators=[DataRequired(_l("Write why the council will not respond.")), Length(max=2000)],
    )


class CityDecisionForm(Form):
    decision = TextAreaField(
        _l("What did the city council decide?"),
        validators=[DataRequired(_l("Write what the city council decided.")), Length(max=4000)],
    )
    usage = TextAreaField(
        _l("How was the youth council's response used?"),
        description=_l("One or two sentences."),
        validators=[DataRequired(_l("Write one or two sentences on how the response was used.")), Length(max=600)],
    )


class CompareForm(Form):
    class Meta:
        csrf = False

    a = SelectField(_l("Older version"), coerce=parse_id, validate_choice=False)
    b = SelectField(_l("Newer version"), coerce=parse_id, validate_choice=False)
