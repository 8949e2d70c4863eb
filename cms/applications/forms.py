"""The residents' application form (参加申込) of an activity."""

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from cms.infrastructure.abuse import HoneypotMixin

from .models import Application

NOTE_MAX_LENGTH = Application._meta.get_field("note").max_length
ANSWER_MAX_LENGTH = 500


class ActivityQuestionsMixin:
    """The activity's own questions as fields, and `details()`: what
    booking.apply() takes, the answers with their questions. Shared by the
    residents' form and the office's phone form (admin_views)."""

    def add_questions(self, activity):
        self.questions = list(activity.application_questions.all())
        for question in self.questions:
            self.fields[self.question_field_name(question)] = forms.CharField(
                label=question.label,
                help_text=question.help_text,
                required=question.required,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def question_field_name(question):
        return f"question_{question.pk}"

    def question_fields(self):
        return [self[self.question_field_name(q)] for q in self.questions]

    def details(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "name_kana": data["name_kana"],
            "email": data["email"],
            "phone": data["phone"],
            "party_size": data.get("party_size", 1),
            "note": data["note"],
            "answers": [
                {"question": q.label, "answer": data[self.question_field_name(q)]}
                for q in self.questions
            ],
        }


class ApplicationForm(ActivityQuestionsMixin, HoneypotMixin, forms.Form):
    """Name, contact, number of people, the activity's own questions and consent.

    `details()` gives what booking.apply() takes. The party-size field is
    there only when an application may bring more than one person.
    """

    name = forms.CharField(label=pgettext_lazy("application form", "Name"), max_length=100)
    name_kana = forms.CharField(
        label=_("Your name in hiragana (ふりがな)"),
        max_length=100,
        required=False,
        help_text=_("Optional. It helps the office read your name correctly."),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send the link that completes your application to this address."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("Optional. Only the office sees it, to reach you on the day."),
    )
    note = forms.CharField(
        label=_("Message to the organiser"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please agree to the handling of your details to apply.")},
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["note"].help_text = _(
            "Optional: anything the organiser should know, e.g. about access "
            "(up to %(count)s characters)."
        ) % {"count": f"{NOTE_MAX_LENGTH:,}"}
        self.fields["consent"].label = _(
            "I agree that my details are used only for this activity and are removed "
            "%(days)s days after it."
        ) % {"days": settings.APPLICATION_RETENTION_DAYS}
        self.fields["consent"].help_text = format_html(
            '<a href="#privacy-notice">{}</a>', _("How the office handles your details")
        )
        if activity.max_party_size > 1:
            self.fields["party_size"] = forms.TypedChoiceField(
                label=_("Number of people"),
                coerce=int,
                initial=1,
                choices=[
                    (n, ngettext("%(n)s person", "%(n)s people", n) % {"n": n})
                    for n in range(1, activity.max_party_size + 1)
                ],
                help_text=_("Including yourself."),
            )
        self.add_questions(activity)
        # The fields in the order the page shows them.
        order = ["name", "name_kana", "email", "phone", "party_size"]
        order += [self.question_field_name(q) for q in self.questions]
        self.order_fields([*order, "note", "consent"])
