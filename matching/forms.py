from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from cms.core.models import Area
from cms.infrastructure.abuse import HoneypotMixin

from .engine.records import Place, Profile
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


class MatchingForm(forms.Form):
    """What a resident tells the 「あなたに合う活動を探す」 page (GET; nothing is stored)."""

    DISTANCES = (1, 2, 3, 5, 10)

    skills = forms.ModelMultipleChoiceField(
        label=_("What you can do"),
        queryset=Skill.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.CharField(
        label=_("What you are interested in"),
        help_text=_("In your own words, e.g. 子育て, 環境, 国際交流 (up to 200 characters)."),
        max_length=200,
        required=False,
    )
    slots = forms.MultipleChoiceField(
        label=_("When you are free (every week)"),
        choices=_slot_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.ModelChoiceField(
        label=_("Where you live"),
        queryset=Area.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Not given"),
    )
    max_km = forms.TypedChoiceField(
        label=_("How far you would go"),
        choices=[(str(km), _("up to %(km)s km") % {"km": km}) for km in DISTANCES],
        coerce=float,
        initial="3",
        required=False,
        empty_value=3.0,
    )

    PROFILE_FIELDS = ("skills", "interests", "slots", "area", "max_km")

    def clean(self):
        data = super().clean()
        if not (data.get("skills") or data.get("interests") or data.get("slots")):
            raise forms.ValidationError(
                _("Choose at least one thing you can do, write an interest or tick a time."),
                code="empty",
            )
        return data

    def profile_record(self, key="web"):
        """The engine's record of what the resident entered."""
        data = self.cleaned_data
        area = data.get("area")
        return Profile(
            key=key,
            skills=tuple(skill.slug for skill in data.get("skills") or ()),
            interests=data.get("interests") or "",
            slots=frozenset(self.chosen_slots()),
            place=Place(float(area.latitude), float(area.longitude)) if area else None,
            max_km=data.get("max_km") or 3.0,
        )

    def chosen_slots(self):
        """The ticked slots; none ticked means any time is fine, as the form says."""
        return tuple(self.cleaned_data.get("slots") or SLOT_CODES)

    def query_string(self):
        """The entered profile as a query string, carried to the follow-up forms."""
        data = self.cleaned_data
        query = QueryDict(mutable=True)
        query.setlist("skills", [skill.slug for skill in data.get("skills") or ()])
        query.setlist("slots", list(data.get("slots") or ()))
        if data.get("interests"):
            query["interests"] = data["interests"]
        if data.get("area"):
            query["area"] = data["area"].slug
        if data.get("max_km"):
            query["max_km"] = f"{data['max_km']:g}"
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
        """Copy the entered profile onto a stored ResidentProfile (saved, with its M2M)."""
        data = self.cleaned_data
        profile.interests = data.get("interests") or ""
        profile.home_area = data.get("area")
        profile.max_km = data.get("max_km") or 3
        profile.save()
        profile.skills.set(data.get("skills") or ())
        profile.slots.set(TimeSlot.objects.filter(code__in=self.chosen_slots()))


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
