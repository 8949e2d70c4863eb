from django import forms
from django.utils.translation import gettext_lazy as _

from cms.core import wareki
from cms.core.models import FieldOfActivity

from .models import ActivityKind


class ActivityFilterForm(forms.Form):
    """Filters of the activity listing; bad values are reported, never a 500."""

    fy = forms.TypedChoiceField(label=_("Fiscal year"), required=False, coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    field = forms.ModelChoiceField(
        label=_("Field of activity"),
        queryset=FieldOfActivity.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All"),
    )

    def __init__(self, *args, fiscal_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = [("", _("All"))] + [
            (year, wareki.format_fiscal_year(year)) for year in fiscal_years
        ]
        self.fields["kind"].choices = [("", _("All"))] + list(ActivityKind.choices)

    def filter(self, activities):
        data = self.cleaned_data
        if data.get("fy"):
            activities = activities.in_fiscal_year(data["fy"])
        if data.get("kind"):
            activities = activities.filter(kind=data["kind"])
        if data.get("field"):
            activities = activities.filter(fields=data["field"])
        return activities
