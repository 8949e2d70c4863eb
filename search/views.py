"""Site search. Japanese-aware analysis arrives with the search issue; this
view already validates its input and never fails on a bad query string."""

from django.core.paginator import Paginator
from django.shortcuts import render

from wagtail.models import Page

MAX_QUERY_LENGTH = 200
PER_PAGE = 10


def clean_query(raw):
    """Strip control characters and cap the length residents can send."""
    printable = "".join(ch for ch in raw if ch.isprintable() or ch == " ")
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search(request):
    query = clean_query(request.GET.get("query", ""))
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"search_query": query, "search_results": page})
