from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.core import wareki
from cms.core.forms import ListingFilterForm, field_of_activity_choice_field

from .models import ActivityKind


class ActivityFilterForm(ListingFilterForm):
    """Filters of the activity listing; bad values are reported, never a 500."""

    fy = forms.TypedChoiceField(label=_("Fiscal year"), required=False, coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, fiscal_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = [("", pgettext_lazy("filter", "All"))] + [
            (year, wareki.format_fiscal_year(year)) for year in fiscal_years
        ]
        self.fields["kind"].choices = [("", pgettext_lazy("filter", "All"))] + list(
            ActivityKind.choices
        )
        self.fields["field"] = field_of_activity_choice_field()

    def filter_field(self, queryset, name, value):
        if name == "fy":
            return queryset.in_fiscal_year(value)
        if name == "field":
            return queryset.filter(fields=value)
        return queryset.filter(kind=value)
