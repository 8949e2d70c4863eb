"""Places usable for civic activity: 武蔵野プレイス, community centres, 市民会館."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from cms.core.models import BasePage, IndexPage
from search.index import JapaneseSearchField, shown_in_language

from .forms import FacilityFilterForm


class FacilityIndexPage(IndexPage):
    subpage_types = ["facilities.FacilityPage"]
    listing_context_name = "facilities"

    class Meta:
        verbose_name = _("facility index page")
        verbose_name_plural = _("facility index pages")

    filter_form_class = FacilityFilterForm

    def get_filter_form(self, request):
        return self.filter_form_class(
            request.GET or None, equipment_choices=FacilityRoom.equipment_choices()
        )

    def get_listing(self):
        return (
            FacilityPage.objects.live()
            .public()
            .child_of(self)
            .select_related("area")
            .prefetch_related("rooms")
            .order_by("title")
        )


class FacilityPage(BasePage):
    kana = models.CharField(_("reading"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200)
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    access = models.TextField(_("access"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    closed_days = models.CharField(_("closed days"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    booking_info = RichTextField(_("booking information"), blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("kana"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("address")]),
                FieldPanel("area"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("access"),
            ],
            heading=_("Location"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("opening_hours"),
                FieldPanel("closed_days"),
                FieldPanel("phone"),
                FieldPanel("website"),
            ],
            heading=_("Opening hours and contact"),
        ),
        InlinePanel("rooms", label=_("Rooms"), heading=_("Rooms and equipment")),
        FieldPanel("booking_info"),
        FieldPanel("accessibility_notes"),
    ]
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("kana"),
        JapaneseSearchField("summary"),
        JapaneseSearchField("address"),
        JapaneseSearchField("access"),
        JapaneseSearchField("opening_hours"),
        JapaneseSearchField("closed_days"),
        JapaneseSearchField("booking_info"),
        JapaneseSearchField("accessibility_notes"),
        index.FilterField("area"),
        index.RelatedFields("area", [JapaneseSearchField("name"), JapaneseSearchField("kana")]),
        # Rooms and their equipment, so 'Wi-Fi' or 'プロジェクター' finds the facility.
        index.RelatedFields(
            "rooms", [JapaneseSearchField("name"), JapaneseSearchField("equipment_text")]
        ),
    ]
    parent_page_types = ["facilities.FacilityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    ACTIVITIES_SHOWN = 20

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Upcoming first, then the most recent; a long history is cut short.
        activities = self.activities.live().public()
        upcoming = list(activities.upcoming()[: self.ACTIVITIES_SHOWN])
        past = list(activities.past()[: self.ACTIVITIES_SHOWN - len(upcoming)])
        context["activities_here"] = upcoming + past
        return context

    @property
    def full_address(self):
        prefix = f"〒{self.postal_code} " if self.postal_code else ""
        return f"{prefix}{self.address}"


class FacilityRoom(Orderable):
    """A bookable room; its equipment serves plan measure 3-2 (ICT)."""

    EQUIPMENT_FIELDS = ("has_wifi", "has_projector", "has_online_meeting_kit")

    page = ParentalKey(FacilityPage, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(pgettext_lazy("civic", "name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    has_wifi = models.BooleanField(_("Wi-Fi"), default=False)
    has_projector = models.BooleanField(_("projector"), default=False)
    has_online_meeting_kit = models.BooleanField(_("online-meeting kit"), default=False)
    other_equipment = models.CharField(_("other equipment"), max_length=200, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("capacity")]),
        FieldRowPanel(
            [
                FieldPanel("has_wifi"),
                FieldPanel("has_projector"),
                FieldPanel("has_online_meeting_kit"),
            ]
        ),
        FieldPanel("other_equipment"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return self.name

    @classmethod
    def equipment_choices(cls):
        return [(name, cls._meta.get_field(name).verbose_name) for name in cls.EQUIPMENT_FIELDS]

    def equipment(self):
        """The labels of the equipment this room has."""
        labels = [label for name, label in self.equipment_choices() if getattr(self, name)]
        if self.other_equipment:
            labels.append(self.other_equipment)
        return labels

    def equipment_text(self):
        """The equipment as the facility page lists it, in the site's language."""
        return shown_in_language(lambda: "、".join(map(str, self.equipment())))
