"""The home page: what is on soon, the latest Link!, and the ways in."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from cms.activities.models import ActivityPage
from cms.core.models import BasePage, latest_updates
from cms.facilities.models import FacilityIndexPage
from cms.groups.models import GroupIndexPage
from cms.newsletters.models import NewsletterIssuePage
from cms.plan.models import PlanPage
from search.index import JapaneseSearchField


class HomePage(BasePage):
    lead = models.CharField(_("lead"), max_length=200, blank=True)
    introduction = RichTextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("lead"),
        FieldPanel("introduction"),
        InlinePanel(
            "featured_activities",
            label=_("Featured activity"),
            heading=_("Featured activities"),
            max_num=6,
        ),
    ]
    search_fields = BasePage.search_fields + [JapaneseSearchField("introduction")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "activities.ActivityIndexPage",
        "groups.GroupIndexPage",
        "newsletters.NewsletterIndexPage",
        "facilities.FacilityIndexPage",
        "plan.PlanPage",
        "core.StandardPage",
        "accessibility.AccessibilityPolicyPage",
    ]
    max_count = 1
    in_whats_new = False

    UPCOMING_COUNT = 5
    UPDATES_COUNT = 5

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        from cms.applications.booking import availabilities

        context = super().get_context(request, *args, **kwargs)
        live = ActivityPage.objects.live().public()
        featured = [
            item.activity
            for item in self.featured_activities.select_related("activity__venue")
            if item.activity.live
        ]
        upcoming = live.upcoming(timezone.now()).select_related("venue")
        upcoming = list(upcoming[: self.UPCOMING_COUNT])
        # The cards' 「残りN席」 badges, with one count of seats for both lists.
        found = availabilities([*featured, *upcoming])
        for activity in (*featured, *upcoming):
            activity.availability = found[activity.pk]
        context.update(
            featured=featured,
            upcoming=upcoming,
            latest_newsletter=NewsletterIssuePage.objects.live()
            .public()
            .order_by("-issue_date")
            .first(),
            entry_points=self.entry_points(),
            latest_updates=latest_updates(self.UPDATES_COUNT, self),
        )
        return context

    def entry_points(self):
        """The index pages residents start from, in a fixed order."""
        children = self.get_children().live().public().specific()
        order = (GroupIndexPage, FacilityIndexPage, PlanPage)
        found = {type(page): page for page in children if isinstance(page, order)}
        return [found[kind] for kind in order if kind in found]


class HomeFeaturedActivity(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_activities")
    activity = models.ForeignKey(
        "activities.ActivityPage",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("activity")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured activity")
        verbose_name_plural = _("featured activities")
