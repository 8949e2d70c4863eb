"""The feed of activities (講座・イベント), newest published first."""

from django.db.models import F
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.core.feeds import PageFeed

from .models import ActivityIndexPage, ActivityPage


class ActivitiesFeed(PageFeed):
    feed_name = gettext_lazy("Activities")
    description = gettext_lazy("Lectures, events and other activities as they are announced.")
    limit = 20

    def link(self, site):
        index = (
            ActivityIndexPage.objects.live()
            .public()
            .descendant_of(site.root_page)
            .order_by("path")
            .first()
        )
        return index.url if index else super().link(site)

    def items(self, site):
        return (
            ActivityPage.objects.live()
            .public()
            .descendant_of(site.root_page)
            .select_related("venue")
            .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[: self.limit]
        )

    def summary_of(self, item):
        return "\n".join(filter(None, [item.summary, f"{_('Date and time')}:{item.when}"]))

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.updated_at


class ActivitiesAtomFeed(ActivitiesFeed):
    feed_type = Atom1Feed
    subtitle = ActivitiesFeed.description
