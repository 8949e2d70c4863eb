"""Feeds of the portal (RSS 2.0 and Atom) and 新着情報, the site-wide one."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.defaultfilters import linebreaksbr
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.models import Site

from .models import SiteSettings, latest_updates


class PageFeed(Feed):
    """A feed of Wagtail pages on the site the request is for.

    Titles are plain text and descriptions are HTML escaped from plain text,
    so a title or summary with ``<`` or ``&`` reads as written in any reader.
    """

    feed_name = ""

    def get_object(self, request):
        site = Site.find_for_request(request)
        if site is None:
            raise Http404
        return site

    def title(self, site):
        organisation = SiteSettings.for_site(site).organisation_name
        return f"{organisation} {_('Civic Activity Portal')} {self.feed_name}"

    def link(self, site):
        return site.root_page.url

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.url

    def summary_of(self, item):
        """The page's summary, else its search description; many pages have neither."""
        return getattr(item, "summary", "") or item.search_description

    def item_description(self, item):
        return linebreaksbr(self.summary_of(item), autoescape=True)


class WhatsNewFeed(PageFeed):
    """新着情報: pages of every kind as they are published or updated."""

    feed_name = gettext_lazy("What's new")
    description = gettext_lazy("Pages of the portal newly published or updated, newest first.")
    limit = 20

    def items(self, site):
        return latest_updates(self.limit, site.root_page)

    def item_pubdate(self, item):
        return item.updated_at

    def item_updateddate(self, item):
        return item.updated_at


class WhatsNewAtomFeed(WhatsNewFeed):
    feed_type = Atom1Feed
    subtitle = WhatsNewFeed.description
