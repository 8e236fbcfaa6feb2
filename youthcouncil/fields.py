"""Form fields that more than one domain uses."""

from __future__ import annotations

from wtforms.fields import DateTimeLocalField

from youthcouncil.i18n import OSLO, to_oslo


class OsloDateTimeField(DateTimeLocalField):
    """A date and time typed in Norwegian time (``<input type="datetime-local">``, which has no time zone).

    ``data`` is an aware datetime in Europe/Oslo, ready for the services (the database stores it in UTC); a stored
    value (``obj=`` or ``data=``, in UTC) is shown in Norwegian time again. Summer time is taken care of both ways.
    """

    def __init__(self, label=None, validators=None, format="%Y-%m-%dT%H:%M", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=OSLO)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_oslo(self.data).strftime(self.format[0]) if self.data else ""
