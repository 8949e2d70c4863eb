from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from cms.core.models import Area
from cms.infrastructure.abuse import HoneypotMixin

from . import sources, validation
from .engine.slots import DAY_LABELS, DAYS, PERIOD_LABELS, PERIODS, SLOT_CODES, slot_label
from .models import ResidentProfile, Skill, Suggestion, TimeSlot


class SuggestionForm(WagtailAdminModelForm):
    """The coordinator's edit form: status and notes; every change goes on the record."""

    note = forms.CharField(
        label=_("Add a note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    class Meta:
        model = Suggestion
        fields = ["source", "message", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source", "message"):
            self.fields[name].disabled = True

    def save(self, commit=True):
        from .services import change_status

        suggestion = self.instance
        new_status = self.cleaned_data["status"]
        # change_status saves, records the event and sends the e-mails.
        suggestion.status = Suggestion.objects.get(pk=suggestion.pk).status
        return change_status(
            suggestion, new_status, user=self.for_user, note=self.cleaned_data.get("note", "")
        )


def _slot_choices():
    return [(code, slot_label(code)) for code in SLOT_CODES]


def _skill_choices():
    return [(skill.slug, str(skill)) for skill in Skill.objects.all()]


def _area_choices():
    return [("", _("Not given")), *((area.slug, area.name) for area in Area.objects.all())]


class _Carried:
    """A field that only carries what was sent: matching.validation checks
    it, so that the form says what the API and the commands say."""

    def validate(self, value):
        pass

    def run_validators(self, value):
        pass


class _CarriedText(_Carried, forms.CharField):
    pass


class _CarriedChoice(_Carried, forms.ChoiceField):
    pass


class _CarriedChoices(_Carried, forms.MultipleChoiceField):
    pass


class MatchingForm(forms.Form):
    """What a resident tells the 「あなたに合う活動を探す」 page (GET; nothing is stored).

    The fields carry the answers; matching.validation checks them, and its
    errors show beside the fields. `answers` holds the cleaned answers.
    """

    # The distances offered; any other the validator accepts is shown too.
    DISTANCES = (1, 2, 3, 5, 10)

    skills = _CarriedChoices(
        label=_("What you can do"),
        choices=_skill_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = _CarriedText(
        label=_("What you are interested in"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": validation.INTERESTS_MAX_LENGTH}),
    )
    slots = _CarriedChoices(
        label=_("When you are free (every week)"),
        choices=_slot_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = _CarriedChoice(label=_("Where you live"), choices=_area_choices, required=False)
    max_km = _CarriedChoice(label=_("How far you would go"), initial="3", required=False)

    PROFILE_FIELDS = ("skills", "interests", "slots", "area", "max_km")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = None
        # Made per form, so in the language of the request.
        self.fields["interests"].help_text = _(
            "In your own words, e.g. 子育て, 環境, 国際交流 (up to %(count)s characters)."
        ) % {"count": validation.INTERESTS_MAX_LENGTH}
        self.fields["max_km"].choices = self._distance_choices()

    def _distance_choices(self):
        """The distances offered, and a valid one sent that is not among them
        (a link made from a stored profile of 4 km), so that it stays chosen."""
        distances = {str(km): float(km) for km in self.DISTANCES}
        sent = self.data.get(self.add_prefix("max_km")) if self.is_bound else None
        if isinstance(sent, str) and sent.strip() and sent not in distances:
            cleaned, errors = validation.clean_fields(
                {"max_km": sent}, validation.Vocabulary(), fields=("max_km",)
            )
            if not errors:
                # "3.0" stands in for the 3 offered, so that it shows as chosen.
                distances = {v: km for v, km in distances.items() if km != cleaned["max_km"]}
                distances[sent] = cleaned["max_km"]
        return [
            (value, _("up to %(km)s km") % {"km": f"{km:g}"})
            for value, km in sorted(distances.items(), key=lambda item: item[1])
        ]

    def clean(self):
        data = super().clean()
        answers = {name: data.get(name) for name in self.PROFILE_FIELDS}
        try:
            self.answers = validation.clean_profile(answers, sources.vocabulary(), key="web")
        except validation.ProfileError as error:
            for problem in error.errors:
                name = problem.field if problem.field in self.fields else None
                self.add_error(name, forms.ValidationError(problem.message, code=problem.code))
        return data

    def profile_record(self):
        """The engine's record of what the resident entered."""
        return self.answers.record()

    def query_string(self):
        """The entered profile as a query string, carried to the follow-up forms."""
        answers = self.answers
        query = QueryDict(mutable=True)
        query.setlist("skills", list(answers.skills))
        query.setlist("slots", list(answers.slots))
        if answers.interests:
            query["interests"] = answers.interests
        if answers.area:
            query["area"] = answers.area
        query["max_km"] = f"{answers.max_km:g}"
        return query.urlencode()

    def slot_grid(self):
        """The availability grid: one row per period, one checkbox per day."""
        chosen = set(self["slots"].value() or ())
        rows = []
        for period in PERIODS:
            cells = []
            for day in DAYS:
                code = f"{day}-{period}"
                cells.append(
                    {
                        "code": code,
                        # Django's ids for the choices, so error links reach the grid.
                        "id": f"{self['slots'].auto_id}_{SLOT_CODES.index(code)}",
                        "label": slot_label(code),
                        "checked": code in chosen,
                    }
                )
            rows.append({"label": PERIOD_LABELS[period], "cells": cells})
        return rows

    @staticmethod
    def day_headings():
        return [DAY_LABELS[day] for day in DAYS]

    def apply_to(self, profile):
        """Copy the entered profile onto a stored ResidentProfile (saved, with its M2M).

        No slot ticked is stored as every slot: the admin then shows what the
        resident meant.
        """
        answers = self.answers
        profile.interests = answers.interests
        profile.home_area = Area.objects.filter(slug=answers.area).first() if answers.area else None
        profile.max_km = Decimal(str(answers.max_km))
        profile.save()
        profile.skills.set(Skill.objects.filter(slug__in=answers.skills))
        slots = validation.available_slots(answers.slots)
        profile.slots.set(TimeSlot.objects.filter(code__in=slots))


class ContactForm(HoneypotMixin, forms.ModelForm):
    """Name and contact details with consent; shared by registration and 参加してみたい."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the civic-activity office and the group may use these details "
            "to contact me about civic activities."
        ),
        required=True,
        error_messages={"required": _("Please agree so that we can contact you.")},
    )

    class Meta:
        model = ResidentProfile
        fields = ["name", "email", "phone"]
        labels = {"name": _("Your name"), "email": _("E-mail address"), "phone": _("Phone")}
        help_texts = {"phone": _("Optional. Only the office sees it.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class InterestForm(ContactForm):
    message = forms.CharField(
        label=_("Message to the office"),
        help_text=_("Optional: anything the group should know (up to 1,000 characters)."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RegistrationForm(ContactForm):
    """Registration for suggestions, with the opt-in weekly digest (off unless ticked)."""

    class Meta(ContactForm.Meta):
        fields = [*ContactForm.Meta.fields, "receives_digest"]
        labels = {
            **ContactForm.Meta.labels,
            "receives_digest": _(
                "Receive new activities and volunteer opportunities by e-mail once a week"
            ),
        }
        help_texts = {
            **ContactForm.Meta.help_texts,
            "receives_digest": _(
                "Optional. Sent once you have confirmed your address, only when something "
                "new suits you; every e-mail has a link to stop it."
            ),
        }
