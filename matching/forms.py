from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from .models import Suggestion


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
        fields = ["status"]

    def save(self, commit=True):
        from .services import change_status

        suggestion = self.instance
        new_status = self.cleaned_data["status"]
        # change_status saves, records the event and sends the e-mails.
        suggestion.status = Suggestion.objects.get(pk=suggestion.pk).status
        return change_status(
            suggestion, new_status, user=self.for_user, note=self.cleaned_data.get("note", "")
        )
