from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.infrastructure.abuse import HoneypotMixin

from .models import PageFeedback


class PageFeedbackForm(HoneypotMixin, forms.ModelForm):
    """The form at the foot of every page; choices are radio buttons, no JS."""

    class Meta:
        model = PageFeedback
        fields = ["usefulness", "findability", "comment"]
        widgets = {
            "usefulness": forms.RadioSelect,
            "findability": forms.RadioSelect,
            "comment": forms.Textarea(
                attrs={"rows": 3, "maxlength": PageFeedback.COMMENT_MAX_LENGTH}
            ),
        }
        labels = {
            "usefulness": _("Was the information on this page useful?"),
            "findability": _("Was this page easy to find?"),
            "comment": _("Comments (no personal information, please; we cannot reply)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ModelForm adds an empty "---------" choice to optional fields; a
        # radio list reads better without it.
        self.fields["usefulness"].choices = PageFeedback.Usefulness.choices
        self.fields["findability"].choices = PageFeedback.Findability.choices
        self.fields["findability"].required = False


class ListingFilterForm(forms.Form):
    """Base for listing filters in the query string.

    Form validation is what keeps bad input harmless: unknown slugs and NUL
    or control characters become field errors shown beside the field, and
    only the valid filters apply.
    """

    def apply(self, queryset):
        if not self.is_bound:
            return queryset
        self.is_valid()
        for name, value in self.cleaned_data.items():
            if value not in (None, ""):
                queryset = self.filter_field(queryset, name, value)
        return queryset

    def filter_field(self, queryset, name, value):
        return queryset.filter(**{name: value})


def area_choice_field():
    from .models import Area

    return forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=pgettext_lazy("filter", "All"),
    )


def field_of_activity_choice_field():
    from .models import FieldOfActivity

    return forms.ModelChoiceField(
        label=_("Field of activity"),
        queryset=FieldOfActivity.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=pgettext_lazy("filter", "All"),
    )
