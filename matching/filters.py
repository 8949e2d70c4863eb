import django_filters

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet

from cms.core.models import Area, FieldOfActivity

from .models import Suggestion


class SuggestionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Suggestion.Status.choices)
    source = django_filters.ChoiceFilter(label=_("source"), choices=Suggestion.Source.choices)
    area = django_filters.ModelChoiceFilter(
        label=_("home area"), queryset=Area.objects.all(), field_name="profile__home_area"
    )
    field = django_filters.ModelChoiceFilter(
        label=_("field of activity"),
        queryset=FieldOfActivity.objects.all(),
        method="filter_field",
    )
    opportunity = django_filters.ModelChoiceFilter(
        label=_("opportunity"),
        queryset=None,
        field_name="opportunity",
    )
    min_score = django_filters.NumberFilter(
        label=_("score at least"), field_name="score", lookup_expr="gte"
    )

    class Meta:
        model = Suggestion
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cms.opportunities.models import OpportunityPage

        self.filters["opportunity"].queryset = OpportunityPage.objects.order_by("title")

    def filter_field(self, queryset, name, value):
        from cms.groups.models import GroupPage

        # An opportunity's field is its group's: the group is its parent page.
        group_paths = GroupPage.objects.filter(fields=value).values_list("path", flat=True)
        opportunity_q = Q()
        for path in group_paths:
            opportunity_q |= Q(opportunity__path__startswith=path)
        if not group_paths:
            return queryset.filter(group__fields=value)
        return queryset.filter(Q(group__fields=value) | opportunity_q)
