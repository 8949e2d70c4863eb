"""Volunteer opportunities (ボランティア募集): what a civic group asks residents to help with."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.core.models import BasePage
from search.index import JapaneseSearchField, shown_in_language


class OpportunityPage(BasePage):
    """An opportunity under a GroupPage: skills asked for, when, where, how many."""

    summary = models.TextField(_("summary"), blank=True, max_length=300)
    description = RichTextField(_("description"), blank=True)
    skills = ParentalManyToManyField(
        "matching.Skill", verbose_name=_("skills asked for"), blank=True, related_name="+"
    )
    slots = ParentalManyToManyField(
        "matching.TimeSlot", verbose_name=_("when (weekly)"), blank=True, related_name="+"
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    facility = models.ForeignKey(
        "facilities.FacilityPage",
        verbose_name=_("facility"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    starts = models.DateField(_("starts"), null=True, blank=True)
    ends = models.DateField(_("ends"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("people wanted"), null=True, blank=True, help_text=_("Leave empty if there is no limit.")
    )
    is_open = models.BooleanField(_("open for applications"), default=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("skills", widget=forms.CheckboxSelectMultiple),
        FieldPanel("slots", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("area"), FieldPanel("facility")],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts"), FieldPanel("ends")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("is_open")]),
            ],
            heading=_("Period and capacity"),
        ),
    ]
    # What the page shows: the group, the skills (with the other words
    # residents use for them), when and where. search.index follows each
    # RelatedFields; cms.opportunities.signal_handlers follows the group.
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("summary"),
        JapaneseSearchField("description"),
        JapaneseSearchField("group_title"),
        JapaneseSearchField("slot_labels"),
        index.RelatedFields(
            "skills", [JapaneseSearchField("name"), JapaneseSearchField("aliases")]
        ),
        index.RelatedFields("area", [JapaneseSearchField("name"), JapaneseSearchField("kana")]),
        index.RelatedFields(
            "facility",
            [
                JapaneseSearchField("title_as_text"),
                index.RelatedFields(
                    "area", [JapaneseSearchField("name"), JapaneseSearchField("kana")]
                ),
            ],
        ),
    ]

    parent_page_types = ["groups.GroupPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("volunteer opportunity")
        verbose_name_plural = _("volunteer opportunities")

    def clean(self):
        super().clean()
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": _("The end cannot be before the start.")})

    @property
    def group(self):
        return self.get_parent().specific

    def group_title(self):
        """The group the page names above its title (its parent page)."""
        parent = self.get_parent()
        return parent.title if parent else ""

    def slot_labels(self):
        """土曜午前、日曜午後…: the weekly times as the page lists them."""
        return shown_in_language(lambda: "、".join(str(slot) for slot in self.slots.all()))

    @property
    def place_area(self):
        """The area used for distances: the opportunity's, else its facility's."""
        if self.area_id:
            return self.area
        return self.facility.area if self.facility_id and self.facility else None

    @property
    def has_ended(self):
        return bool(self.ends and self.ends < timezone.localdate())
