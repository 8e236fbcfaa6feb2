from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import Form

_WHOLE = _l("Write a whole number, 0 or more.")
#: More than any council has members; well inside the integer column.
MAX_COUNT = 1000


def _count_field(label, description=None):
    return IntegerField(
        label,
        description=description,
        validators=[
            InputRequired(_WHOLE),
            NumberRange(min=0, message=_WHOLE),
            NumberRange(max=MAX_COUNT, message=_l("Write a number up to %(max)s.", max=MAX_COUNT)),
        ],
    )


class HandCountForm(Form):
    yes = _count_field(_l("Yes"))
    no = _count_field(_l("No"))
    abstain = _count_field(_l("Abstain"))
    present = _count_field(
        _l("Members present"),
        _l("Voting members at the meeting, also those who did not raise a hand."),
    )
