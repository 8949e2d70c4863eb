"""The site search form: the query and its filters, all from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.activities.models import ActivityKind, ActivityPage
from cms.core import wareki
from cms.core.forms import area_choice_field, field_of_activity_choice_field
from cms.core.models import StandardPage
from cms.facilities.models import FacilityPage
from cms.groups.models import GroupPage
from cms.newsletters.models import NewsletterIssuePage
from cms.plan.models import PlanPage

MAX_QUERY_LENGTH = 200

# What residents look for, and the page types that answer it.
CONTENT_TYPES = {
    "activity": (_("Activities"), [ActivityPage]),
    "group": (_("Civic groups"), [GroupPage]),
    "facility": (_("Facilities"), [FacilityPage]),
    "newsletter": (_("Newsletter"), [NewsletterIssuePage]),
    "plan": (_("Basic plan"), [PlanPage]),
    "page": (_("Other pages"), [StandardPage]),
}


def clean_query(raw):
    """Drop control characters, fold runs of spaces; the caller caps the length."""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw or "")
    return " ".join(printable.split())


class SearchForm(forms.Form):
    query = forms.CharField(label=_("Keywords"), required=False, strip=False)
    type = forms.ChoiceField(label=_("Type of page"), required=False)
    kind = forms.ChoiceField(label=_("Kind of activity"), required=False)
    fy = forms.TypedChoiceField(label=_("Fiscal year"), required=False, coerce=int)
    when = forms.ChoiceField(
        label=_("Date"),
        required=False,
        choices=[
            ("", pgettext_lazy("filter", "All")),
            ("upcoming", _("Upcoming")),
            ("past", _("Past")),
        ],
    )

    def __init__(self, data=None, *args, fiscal_years=(), **kwargs):
        if data is not None and "query" in data:
            # Control characters (NUL included) are dropped here rather than
            # rejected, so a pasted query still searches for its words.
            data = data.copy()
            data["query"] = clean_query(data.get("query", ""))
        super().__init__(data, *args, **kwargs)
        self.fields["type"].choices = [("", pgettext_lazy("filter", "All"))] + [
            (key, label) for key, (label, _models) in CONTENT_TYPES.items()
        ]
        self.fields["kind"].choices = [("", pgettext_lazy("filter", "All"))] + list(
            ActivityKind.choices
        )
        self.fields["field"] = field_of_activity_choice_field()
        self.fields["area"] = area_choice_field()
        self.fields["fy"].choices = [("", pgettext_lazy("filter", "All"))] + [
            (year, wareki.format_fiscal_year(year)) for year in fiscal_years
        ]
        # Keep the query first and the filters in reading order.
        self.order_fields(["query", "type", "kind", "field", "area", "fy", "when"])
        self.query_was_truncated = False

    def clean_query(self):
        query = clean_query(self.cleaned_data.get("query", ""))
        if len(query) > MAX_QUERY_LENGTH:
            self.query_was_truncated = True
            query = query[:MAX_QUERY_LENGTH]
        return query
