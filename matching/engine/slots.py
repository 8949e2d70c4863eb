"""The 21 weekly time slots (mon-am … sun-eve) residents and opportunities name."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS = ("am", "pm", "eve")
SLOT_CODES = tuple(f"{day}-{period}" for day in DAYS for period in PERIODS)

# Short headings for the availability grid (days across, periods down).
DAY_LABELS = {
    "mon": pgettext_lazy("weekday", "Mon"),
    "tue": pgettext_lazy("weekday", "Tue"),
    "wed": pgettext_lazy("weekday", "Wed"),
    "thu": pgettext_lazy("weekday", "Thu"),
    "fri": pgettext_lazy("weekday", "Fri"),
    "sat": pgettext_lazy("weekday", "Sat"),
    "sun": pgettext_lazy("weekday", "Sun"),
}
PERIOD_LABELS = {
    "am": pgettext_lazy("slot", "Morning"),
    "pm": pgettext_lazy("slot", "Afternoon"),
    "eve": pgettext_lazy("slot", "Evening"),
}

_POSITION = {code: position for position, code in enumerate(SLOT_CODES)}

# Whole phrases rather than day + period pieces, so each language can order and
# join them its own way (土曜午前, "Saturday morning").
_LABELS = {
    "mon-am": _("Monday morning"),
    "mon-pm": _("Monday afternoon"),
    "mon-eve": _("Monday evening"),
    "tue-am": _("Tuesday morning"),
    "tue-pm": _("Tuesday afternoon"),
    "tue-eve": _("Tuesday evening"),
    "wed-am": _("Wednesday morning"),
    "wed-pm": _("Wednesday afternoon"),
    "wed-eve": _("Wednesday evening"),
    "thu-am": _("Thursday morning"),
    "thu-pm": _("Thursday afternoon"),
    "thu-eve": _("Thursday evening"),
    "fri-am": _("Friday morning"),
    "fri-pm": _("Friday afternoon"),
    "fri-eve": _("Friday evening"),
    "sat-am": _("Saturday morning"),
    "sat-pm": _("Saturday afternoon"),
    "sat-eve": _("Saturday evening"),
    "sun-am": _("Sunday morning"),
    "sun-pm": _("Sunday afternoon"),
    "sun-eve": _("Sunday evening"),
}


def validate_slots(codes):
    """The slot codes in week order without duplicates.

    Raises ValueError naming the first code that is not one of SLOT_CODES.
    """
    found = set()
    for code in codes:
        if not isinstance(code, str) or code not in _POSITION:
            raise ValueError(f"unknown time slot {code!r}")
        found.add(code)
    return tuple(sorted(found, key=_POSITION.__getitem__))


def slot_label(code):
    """The slot's name in the active language, e.g. 'sat-am' → 土曜午前."""
    (code,) = validate_slots([code])
    return str(_LABELS[code])


def slot_mask(codes):
    """The slots as bits of an int (bit i is SLOT_CODES[i]), for vectorised overlap."""
    mask = 0
    for code in validate_slots(codes):
        mask |= 1 << _POSITION[code]
    return mask


def slots_of_mask(mask):
    """The slot codes whose bits are set in `mask`, in week order."""
    return tuple(code for position, code in enumerate(SLOT_CODES) if mask >> position & 1)
