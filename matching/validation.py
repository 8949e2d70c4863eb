"""The one validator of a resident's profile, whichever way it comes in: the
JSON ranking API, the 「あなたに合う活動を探す」 form, the profile files the
commands read, and the stored ResidentProfile. Each rule is written here once.

It works on plain data (what JSON or a query string holds) and on a
Vocabulary of the skills and areas that exist, so it needs no database and no
page tree: `clean_profile` returns the cleaned answers or raises ProfileError
with every field's error, each message in the active language.

The rules, and why:
- skills: slugs of existing skills; repeats are dropped.
- interests: text of at most INTERESTS_MAX_LENGTH characters, spaces around
  it dropped. The form is a GET form whose results can be bookmarked and
  carried to 「参加してみたい」; a Japanese character takes nine bytes in an
  address, and the app server refuses a request line over 4,094 bytes.
- slots: codes of the 21 weekly slots; none chosen means any time, as the
  form says ("Leave all empty if any time is fine").
- area: the slug of an existing area, or nothing.
- max_km: a number of kilometres from 0 (one's own area only) to MAX_KM,
  kept to 0.1 km as the stored profile keeps it; 3 when not given. The form
  offers a few of these distances; any other is as good (a coordinator may
  have stored 4 km).
- at least one of skills, interests or slots, when ranking: an empty profile
  says nothing to rank by. A stored profile may be empty (a resident who only
  asked to take part, or one the office noted by phone).
"""

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .engine.records import Place, Profile
from .engine.slots import SLOT_CODES

INTERESTS_MAX_LENGTH = 200
MAX_KM = 50
DEFAULT_KM = 3.0
KEY_MAX_LENGTH = 100
# Values echoed in messages are cut: an error should not repeat a whole payload.
_SHOWN_LENGTH = 40


def available_slots(slots):
    """The slots a resident is free: those chosen, or every slot when none are."""
    return tuple(slots) or SLOT_CODES


@dataclass(frozen=True)
class Vocabulary:
    """What a profile's names are checked against: the skills' slugs, and
    each area's slug with its place (None where it has no coordinates)."""

    skills: frozenset[str] = frozenset()
    areas: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with a profile.

    `field` is the profile's field as files and the API name it ("skills",
    "interests", "slots", "area", "max_km", "id"), None for the profile as a
    whole; `record` is the profile's number in a file (from 1) and `key` its id.
    """

    field: str | None
    message: str
    code: str
    record: int | None = None
    key: str | None = None

    def describe(self):
        """One line saying where the error is and what it is, for people."""
        place = None
        if self.record is not None and self.key:
            place = _("profile %(number)s (id “%(id)s”)") % {
                "number": self.record,
                "id": _shown(self.key),
            }
        elif self.record is not None:
            place = _("profile %(number)s") % {"number": self.record}
        if place and self.field:
            return _("%(profile)s, field “%(field)s”: %(message)s") % {
                "profile": place,
                "field": self.field,
                "message": self.message,
            }
        if self.field:
            return _("field “%(field)s”: %(message)s") % {
                "field": self.field,
                "message": self.message,
            }
        if place:
            return _("%(profile)s: %(message)s") % {"profile": place, "message": self.message}
        return self.message

    def as_json(self):
        return {"field": self.field, "code": self.code, "message": self.message}


class ProfileError(ValueError):
    """A profile, or a file of profiles, with errors: every one of them, in `errors`."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = [FieldError(None, errors, "invalid")]
        self.errors = tuple(errors)
        super().__init__(*self.errors)

    def __str__(self):
        return "\n".join(error.describe() for error in self.errors)


@dataclass(frozen=True)
class ProfileAnswers:
    """A profile as the validator cleaned it.

    `slots` are the slots chosen, in week order (none: any time); `area` is
    an area's slug or None, `place` that area's place.
    """

    key: str = ""
    skills: tuple[str, ...] = ()
    interests: str = ""
    slots: tuple[str, ...] = ()
    area: str | None = None
    place: Place | None = None
    max_km: float = DEFAULT_KM

    @property
    def says_something(self):
        return bool(self.skills or self.interests or self.slots)

    def record(self):
        """The engine's record of these answers."""
        return Profile(
            key=self.key,
            skills=self.skills,
            interests=self.interests,
            slots=frozenset(available_slots(self.slots)),
            place=self.place,
            max_km=self.max_km,
        )


class _Invalid(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code


def _shown(value):
    return value if len(value) <= _SHOWN_LENGTH else value[: _SHOWN_LENGTH - 1] + "…"


def _is_text(value):
    """A str the database, the analyser and a JSON answer can all hold: no
    NUL (PostgreSQL refuses it) and no half of a UTF-16 pair (JSON can escape
    one, "\\ud800", and Python reads it, but it is no character)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _names(value, message, code):
    """A list of text values without repeats, or _Invalid."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(_is_text(item) for item in value):
        raise _Invalid(message, code)
    return tuple(dict.fromkeys(item.strip() for item in value if item.strip()))


def _clean_key(value, vocabulary):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int) or not _is_text(str(value)):
        raise _Invalid(_("Give the id as text or a whole number."), "invalid_id")
    if len(str(value)) > KEY_MAX_LENGTH:
        raise _Invalid(
            _("Give an id of at most %(max)s characters.") % {"max": KEY_MAX_LENGTH}, "long_id"
        )
    return str(value)


def _clean_skills(value, vocabulary):
    skills = _names(value, _("Give the skills as a list of skill slugs."), "invalid_skills")
    for slug in skills:
        if slug not in vocabulary.skills:
            raise _Invalid(
                _("There is no skill “%(value)s”.") % {"value": _shown(slug)}, "unknown_skill"
            )
    return skills


def _clean_interests(value, vocabulary):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid(_("Write the interests as text."), "invalid_interests")
    if not _is_text(value):
        raise _Invalid(
            _("The interests hold characters that cannot be read. Please type them again."),
            "unreadable_interests",
        )
    interests = value.strip()
    if len(interests) > INTERESTS_MAX_LENGTH:
        raise _Invalid(
            _("Write at most %(max)s characters (there are %(count)s).")
            % {"max": INTERESTS_MAX_LENGTH, "count": len(interests)},
            "long_interests",
        )
    return interests


def _clean_slots(value, vocabulary):
    codes = _names(
        value, _("Give the times as a list of time-slot codes such as “sat-am”."), "invalid_slots"
    )
    for code in codes:
        if code not in SLOT_CODES:
            raise _Invalid(
                _("There is no time slot “%(value)s”.") % {"value": _shown(code)}, "unknown_slot"
            )
    return tuple(code for code in SLOT_CODES if code in codes)


def _clean_area(value, vocabulary):
    if value is None or value == "":
        return None
    if not _is_text(value):
        raise _Invalid(_("Give the area by its slug."), "invalid_area")
    slug = value.strip()
    if slug not in vocabulary.areas:
        raise _Invalid(_("There is no area “%(value)s”.") % {"value": _shown(slug)}, "unknown_area")
    return slug


def _clean_max_km(value, vocabulary):
    if value is None or value == "":
        return DEFAULT_KM
    message = _("Give the distance as a number of kilometres from 0 to %(max)s.") % {"max": MAX_KM}
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _Invalid(message, "invalid_distance")
    try:
        km = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        raise _Invalid(message, "invalid_distance") from None
    if not km.is_finite() or not 0 <= km <= MAX_KM:
        raise _Invalid(message, "invalid_distance")
    return float(km.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


_RULES = {
    "id": _clean_key,
    "skills": _clean_skills,
    "interests": _clean_interests,
    "slots": _clean_slots,
    "area": _clean_area,
    "max_km": _clean_max_km,
}


def clean_fields(data, vocabulary, *, fields=tuple(_RULES)):
    """({field: cleaned value}, [FieldError]) for the given fields of `data`."""
    cleaned, errors = {}, []
    for name in fields:
        try:
            cleaned[name] = _RULES[name](data.get(name), vocabulary)
        except _Invalid as invalid:
            errors.append(FieldError(name, invalid.message, invalid.code))
    return cleaned, errors


def clean_profile(data, vocabulary, *, key="", answer_required=True):
    """The cleaned answers of one profile given as plain data.

    `data` is a dict such as the API's JSON object or a profile file's item;
    `key` is its id when it has none. With `answer_required`, a profile
    without skills, interests or slots is refused: there is nothing to rank by.
    Raises ProfileError with every error found.
    """
    if not isinstance(data, dict):
        raise ProfileError([FieldError(None, _("A profile must be a JSON object."), "not_object")])
    cleaned, errors = clean_fields(data, vocabulary)
    if not errors:
        answers = ProfileAnswers(
            key=cleaned["id"] or key,
            skills=cleaned["skills"],
            interests=cleaned["interests"],
            slots=cleaned["slots"],
            area=cleaned["area"],
            place=vocabulary.areas.get(cleaned["area"]),
            max_km=cleaned["max_km"],
        )
        if answer_required and not answers.says_something:
            errors.append(
                FieldError(
                    None,
                    _("Choose at least one thing you can do, write an interest or tick a time."),
                    "empty",
                )
            )
        else:
            return answers
    raise ProfileError(errors)


def clean_profiles(items, vocabulary):
    """The cleaned answers of a file's profiles, in order; ProfileError with
    every error of every profile, each with its number (from 1) and id."""
    if not isinstance(items, list):
        raise ProfileError(_("The profiles file must hold a JSON list of profiles."))
    answers, errors = [], []
    for index, item in enumerate(items):
        try:
            answers.append(clean_profile(item, vocabulary, key=str(index)))
        except ProfileError as error:
            key = item.get("id") if isinstance(item, dict) else None
            shown = isinstance(key, str | int) and not isinstance(key, bool) and _is_text(str(key))
            errors += [
                replace(e, record=index + 1, key=str(key) if shown else None) for e in error.errors
            ]
    if errors:
        raise ProfileError(errors)
    return answers


def file_errors(error, outcome):
    """A ProfileError of a profiles file as the commands print it: how many
    errors and what was not done, then one line for each."""
    count = len(error.errors)
    heading = ngettext(
        "The profiles file has %(count)s error. %(outcome)s",
        "The profiles file has %(count)s errors. %(outcome)s",
        count,
    ) % {"count": count, "outcome": outcome}
    return "\n".join([heading, *(f"  {e.describe()}" for e in error.errors)])
