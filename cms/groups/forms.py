from cms.core.forms import ListingFilterForm, area_choice_field, field_of_activity_choice_field


class GroupFilterForm(ListingFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"] = field_of_activity_choice_field()
        self.fields["area"] = area_choice_field()

    def filter_field(self, queryset, name, value):
        return queryset.filter(**{"fields" if name == "field" else name: value})
