"""What a resident's search finds, for the search tests."""

from wagtail.models import Page


def titles(query):
    """The titles of the live pages `query` finds, best first."""
    return [page.title for page in Page.objects.live().search(query)]
