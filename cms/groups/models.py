"""Civic groups (市民活動団体)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.core.models import BasePage, IndexPage
from search.index import JapaneseSearchField, shown_in_language

from .forms import GroupFilterForm


class GroupIndexPage(IndexPage):
    subpage_types = ["groups.GroupPage"]
    listing_context_name = "groups"

    class Meta:
        verbose_name = _("group index page")
        verbose_name_plural = _("group index pages")

    filter_form_class = GroupFilterForm

    def get_listing(self):
        return (
            GroupPage.objects.live()
            .public()
            .child_of(self)
            .select_related("area")
            .prefetch_related("fields")
            .order_by("title")
        )


class GroupPage(BasePage):
    """A civic group: who they are, what they do, how to reach them."""

    class OrganisationType(models.TextChoices):
        VOLUNTARY = "voluntary", _("Voluntary group")
        NPO = "npo", _("NPO corporation")
        GENERAL_INCORPORATED = "general", _("General incorporated association")
        COMMUNITY = "community", _("Community association")
        PUBLIC = "public", _("Public body")
        OTHER = "other", _("Other")

    kana = models.CharField(_("reading"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("type of organisation"),
        max_length=20,
        choices=OrganisationType.choices,
        blank=True,
    )
    summary = models.TextField(_("summary"), blank=True)
    description = RichTextField(pgettext_lazy("civic", "description"), blank=True)
    fields = ParentalManyToManyField(
        "core.FieldOfActivity", verbose_name=_("fields of activity"), blank=True
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups",
    )
    public_contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    public_email = models.EmailField(_("public e-mail"), blank=True)
    public_phone = models.CharField(_("public phone"), max_length=20, blank=True)
    public_contact_note = models.CharField(_("contact note"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("kana"),
        FieldPanel("organisation_type"),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("fields"),
        FieldPanel("area"),
        MultiFieldPanel(
            [
                FieldPanel("public_contact_name"),
                FieldPanel("public_email"),
                FieldPanel("public_phone"),
                FieldPanel("public_contact_note"),
                FieldPanel("website"),
            ],
            heading=_("Public contact"),
            help_text=_("Everything here is shown on the public site."),
        ),
    ]
    # What the page shows: the area's name finds the group, and so does the
    # title of an activity it took part in (activity_titles, kept up to date
    # by cms.groups.signal_handlers when an activity is published).
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("kana"),
        JapaneseSearchField("summary"),
        JapaneseSearchField("description"),
        JapaneseSearchField("organisation_type_label"),
        JapaneseSearchField("public_contact_name"),
        JapaneseSearchField("public_contact_note"),
        JapaneseSearchField("activity_titles"),
        index.FilterField("area"),
        index.RelatedFields("area", [JapaneseSearchField("name"), JapaneseSearchField("kana")]),
        index.RelatedFields("fields", [JapaneseSearchField("name")]),
    ]
    parent_page_types = ["groups.GroupIndexPage"]
    subpage_types = ["opportunities.OpportunityPage"]

    class Meta:
        verbose_name = _("civic group")
        verbose_name_plural = _("civic groups")

    def activities(self):
        """Live activities this group took part in, newest first."""
        from cms.activities.models import ActivityPage

        return (
            ActivityPage.objects.live()
            .public()
            .filter(participations__group=self)
            .order_by("-start_date", "-pk")
            .distinct()
        )

    def activity_titles(self):
        """The activities the page lists, as it lists them (第2回 …)."""
        return "\n".join(
            " ".join(part for part in (activity.series_label, activity.title) if part)
            for activity in self.activities()
        )

    def organisation_type_label(self):
        return shown_in_language(self.get_organisation_type_display)

    @property
    def has_public_contact(self):
        return any([self.public_contact_name, self.public_email, self.public_phone, self.website])
