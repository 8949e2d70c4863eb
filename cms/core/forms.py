from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PageFeedback


class PageFeedbackForm(forms.ModelForm):
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
        self.fields["findability"].choices = PageFeedback.Findability.choices
        self.fields["findability"].required = False
