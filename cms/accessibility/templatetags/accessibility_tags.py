"""The footer's links to the accessibility policy and the test results."""

from django import template
from django.apps import apps
from django.utils.text import capfirst

from wagtail.models import Site

from cms.accessibility.models import AccessibilityPolicyPage, AccessibilityReportPage

register = template.Library()


@register.simple_tag(takes_context=True)
def accessibility_pages(context):
    """(policy page, results page) of the current site; either may be None.

    Looked up once per request: the footer is on every page.
    """
    request = context.get("request")
    if request is None:
        return None, None
    cached = getattr(request, "_accessibility_pages", None)
    if cached is None:
        cached = _find_pages(Site.find_for_request(request))
        request._accessibility_pages = cached
    return cached


def _find_pages(site):
    if site is None:
        return None, None
    policy = (
        AccessibilityPolicyPage.objects.live()
        .public()
        .descendant_of(site.root_page, inclusive=True)
        .order_by("path")
        .first()
    )
    if policy is None:
        return None, None
    report = AccessibilityReportPage.objects.child_of(policy).live().public().order_by("path")
    return policy, report.first()


@register.filter
def page_type_label(page_type):
    """A page model label in a results file ("core.standardpage") as its verbose name.

    The browser tests name each tested page by its model; other views (search
    results, the 404 page) by a description, shown as it is.
    """
    try:
        model = apps.get_model(page_type)
    except (LookupError, ValueError):
        return page_type
    return capfirst(model._meta.verbose_name)
