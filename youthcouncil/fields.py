"""Form fields that more than one domain uses."""

from __future__ import annotations

from wtforms.fields import DateField, DateTimeLocalField
from wtforms.validators import StopValidation

from youthcouncil.i18n import OSLO, to_oslo
from youthcouncil.i18n import lazy_gettext as _l

#: The years a date on a form can be in. The database and Python's calendar reach from year 1 to 9999, but a date
#: near either end cannot be turned into Norwegian or UTC time (year 1 on a form once gave a server error).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_year(field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        field.data = None
        raise ValueError(
            str(_l("Choose a date from the year %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))
        )


class OsloDateTimeField(DateTimeLocalField):
    """A date and time typed in Norwegian time (``<input type="datetime-local">``, which has no time zone).

    ``data`` is an aware datetime in Europe/Oslo, ready for the services (the database stores it in UTC); a stored
    value (``obj=`` or ``data=``, in UTC) is shown in Norwegian time again. Summer time is taken care of both ways.
    Years outside ``FIRST_YEAR``–``LAST_YEAR`` get a plain message.
    """

    def __init__(self, label=None, validators=None, format="%Y-%m-%dT%H:%M", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        _check_year(self)
        if self.data is not None and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=OSLO)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_oslo(self.data).strftime(self.format[0]) if self.data else ""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message is enough


class DayField(DateField):
    """A day (``<input type="date">``) with plain-words messages in the user's language: one for a value that is not
    a date, one for a year outside ``FIRST_YEAR``–``LAST_YEAR``. An empty value is left to the field's own
    ``InputRequired``/``DataRequired`` message."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Choose a day in the calendar."))) from error
        _check_year(self)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message is enough
