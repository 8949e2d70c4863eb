from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.core.forms import ListingFilterForm, area_choice_field


class FacilityFilterForm(ListingFilterForm):
    def __init__(self, *args, equipment_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_choice_field()
        self.fields["equipment"] = forms.ChoiceField(
            label=_("Equipment"),
            required=False,
            choices=[("", pgettext_lazy("filter", "All"))] + list(equipment_choices),
        )

    def filter_field(self, queryset, name, value):
        if name == "equipment":
            return queryset.filter(**{f"rooms__{value}": True}).distinct()
        return super().filter_field(queryset, name, value)
