"""Template helpers for municipal page furniture and Japanese dates."""

from urllib.parse import quote

from django import template
from django.utils.translation import gettext as _

from wagtail.models import Site

from cms.core import wareki
from cms.core.forms import PageFeedbackForm

register = template.Library()


@register.filter
def jdate(value, arg=""):
    """令和6年(2024年)1月4日(木); `|jdate:"short"` drops the Western year, "noyear" both years."""
    if not value:
        return ""
    options = {part.strip() for part in arg.split(",") if part.strip()}
    if "noyear" in options:
        return wareki.format_month_day(value, weekday="noweekday" not in options)
    return wareki.format_date(
        value, weekday="noweekday" not in options, western="short" not in options
    )


@register.filter
def jmonth(value):
    """令和8年(2026年)12月 from a date."""
    return wareki.format_month(value.year, value.month) if value else ""


@register.filter
def jfiscal_year(value):
    """令和6年度(2024年度) from a fiscal year number."""
    if value in (None, ""):
        return ""
    return wareki.format_fiscal_year(int(value))


@register.simple_tag(takes_context=True)
def share_links(context, page):
    """Plain share links: no third-party script runs on the city's pages."""
    request = context.get("request")
    url = page.get_full_url(request) if request else page.full_url
    text = quote(page.title)
    encoded = quote(url or "", safe="")
    return [
        ("X", f"https://x.com/intent/post?text={text}&url={encoded}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={encoded}"),
        ("LINE", f"https://social-plugins.line.me/lineit/share?url={encoded}"),
    ]


@register.inclusion_tag("includes/page_feedback.html", takes_context=True)
def page_feedback(context, page):
    request = context.get("request")
    form = getattr(request, "page_feedback_form", None) or PageFeedbackForm()
    return {"page": page, "form": form, "request": request}


@register.inclusion_tag("includes/contact_block.html", takes_context=True)
def page_contact(context, page):
    request = context.get("request")
    return {"contact": page.get_contact_point(request), "heading": _("Contact about this page")}


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page):
    """The trail to `page`; a route of the page (e.g. a calendar month) sets `subpage_title`."""
    ancestors = page.get_ancestors().filter(depth__gt=1).specific() if page else []
    return {
        "ancestors": ancestors,
        "page": page,
        "subpage_title": context.get("subpage_title"),
        "request": context.get("request"),
    }


@register.simple_tag(takes_context=True)
def main_menu(context, page=None):
    """[(page, is_current_section)] for the site's top-level pages shown in menus."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    items = site.root_page.get_children().live().public().in_menu()
    return [(item, bool(page and page.path.startswith(item.path))) for item in items]


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict: templates cannot index by a variable."""
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def print_url(context, mode):
    """The current address (filters included) in print view `mode`."""
    params = context["request"].GET.copy()
    params["print"] = mode
    return "?" + params.urlencode()
