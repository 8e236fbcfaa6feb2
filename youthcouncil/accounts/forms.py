from flask import request
from wtforms import EmailField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from youthcouncil.accounts.models import AccountType
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form


class PostedForm(Form):
    """Reads only what a browser posts. Flask-WTF would also read a JSON body, whose values need not be strings
    (or a JSON list, which it cannot read at all); such a body counts as an empty form and gets the fields' messages."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            if request.is_json and not hasattr(formdata, "getlist"):  # read from the request, not given
                return None
            return super().wrap_formdata(form, formdata)


def _email_validators():
    return [
        Optional(),
        Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("That does not look like an e-mail address.")),
    ]


class EmailForm(PostedForm):
    """An adult's own e-mail address (or one the coordinator sets for a clerk); empty removes it."""

    email = EmailField(
        _l("E-mail"),
        description=_l("For reminders and messages to you. Leave empty to get none by e-mail."),
        validators=_email_validators(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class LoginForm(PostedForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Write your username."))])
    passphrase = PasswordField(_l("Passphrase"), validators=[DataRequired(_l("Write your passphrase."))])
    next = HiddenField()


class ActivationCodeForm(PostedForm):
    """The code alone: the first step of activating with a school or work account instead of a passphrase."""

    code = StringField(
        _l("Code from your sheet"),
        description=_l("12 letters and digits, like ABCD-EFGH-JK23. Small letters are fine."),
        validators=[DataRequired(_l("Write the code from your sheet."))],
    )


class ActivateForm(ActivationCodeForm):
    passphrase = PasswordField(
        _l("Choose a passphrase"),
        description=_l("At least 8 characters. Tip: three words you like, such as “blue bike pizza”."),
        validators=[DataRequired(_l("Choose a passphrase."))],
    )
    confirm = PasswordField(
        _l("Write the passphrase again"),
        validators=[
            DataRequired(_l("Write the passphrase again.")),
            EqualTo("passphrase", _l("The two passphrases are not the same.")),
        ],
    )


class ChangePassphraseForm(PostedForm):
    current = PasswordField(_l("Your passphrase now"), validators=[DataRequired(_l("Write your passphrase now."))])
    new = PasswordField(
        _l("New passphrase"),
        description=_l("At least 8 characters. Tip: three words you like, such as “blue bike pizza”."),
        validators=[DataRequired(_l("Choose a new passphrase."))],
    )
    confirm = PasswordField(
        _l("Write the new passphrase again"),
        validators=[
            DataRequired(_l("Write the new passphrase again.")),
            EqualTo("new", _l("The two passphrases are not the same.")),
        ],
    )


ACCOUNT_TYPE_LABELS = {
    AccountType.member: _l("Council member"),
    AccountType.school_rep: _l("School rep (pupil council)"),
    AccountType.clerk: _l("Clerk (city council)"),
    AccountType.coordinator: _l("Youth coordinator"),
}


class AccountForm(PostedForm):
    account_type = RadioField(
        _l("Kind of account"),
        choices=[(kind.value, label) for kind, label in ACCOUNT_TYPE_LABELS.items()],
        validators=[DataRequired(_l("Choose the kind of account."))],
    )
    first_name = StringField(_l("First name"), validators=[DataRequired(_l("Write the first name.")), Length(max=60)])
    last_name = StringField(_l("Last name"), validators=[Length(max=60)])
    username = StringField(
        _l("Username"),
        description=_l("Leave empty to make one from the name."),
        validators=[Optional(), Length(min=2, max=40)],
    )
    school = SelectField(
        _l("School"),
        description=_l("Needed for council members and school reps."),
        coerce=int,
        default=0,
        validate_choice=False,
    )
    email = EmailField(
        _l("E-mail (adults only, optional)"),
        description=_l("Only for clerks and coordinators, for reminders. Never for children."),
        validators=_email_validators(),
    )

    def validate_school(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose the school."))
        if self.account_type.data in (AccountType.member.value, AccountType.school_rep.value) and not field.data:
            raise ValidationError(_l("Choose the school."))

    def validate_email(self, field):
        if field.data and self.account_type.data not in (AccountType.clerk.value, AccountType.coordinator.value):
            raise ValidationError(_l("Only adults (clerks and coordinators) can have an e-mail address here."))
