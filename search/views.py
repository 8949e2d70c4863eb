"""Site search: Japanese-aware results across page types, with filters.

Any query string gets a page back: the form cleans what it is given, bad
filter values become messages beside their fields, and the query itself is
analysed by search.analysis before a backend sees it.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render

from wagtail.models import Page

from cms.activities.models import ActivityPage
from cms.facilities.models import FacilityPage
from cms.groups.models import GroupPage

from . import analysis
from .backends.engine import is_engine_unavailable
from .forms import CONTENT_TYPES, SearchForm
from .highlight import highlight, plain_text
from .query_log import popular_queries, record_search, recorded_query
from .suggest import suggestions

logger = logging.getLogger(__name__)

PER_PAGE = 10
# When a query has several words, pages holding only some of them follow
# the pages that hold all (or stand in for them): the best this many of the
# any-word search are counted word by word.
PARTIAL_CANDIDATES = 200
MAX_COUNTED_WORDS = 6
# One- and two-character queries are often a word's start (子, 防災…):
# when they match no whole term, they are tried as prefixes.
SHORT_QUERY_LENGTH = 2


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def restrict(pages, data, now=None):
    """Apply the form's filters to a Page queryset (only FilterFields, so every backend can)."""
    if data.get("type"):
        models = CONTENT_TYPES[data["type"]][1]
        content_types = ContentType.objects.get_for_models(*models).values()
        pages = pages.filter(content_type__in=[ct.pk for ct in content_types])
    id_sets = []
    if any(data.get(name) for name in ("kind", "fy", "when")):
        activities = ActivityPage.objects.live()
        if data.get("kind"):
            activities = activities.filter(kind=data["kind"])
        if data.get("fy"):
            activities = activities.in_fiscal_year(data["fy"])
        if data.get("when") == "upcoming":
            activities = activities.upcoming(now)
        elif data.get("when") == "past":
            activities = activities.past(now)
        id_sets.append(_ids(activities))
    if data.get("field"):
        field = data["field"]
        id_sets.append(
            _ids(ActivityPage.objects.filter(fields=field))
            | _ids(GroupPage.objects.filter(fields=field))
        )
    if data.get("area"):
        area = data["area"]
        id_sets.append(
            _ids(GroupPage.objects.filter(area=area))
            | _ids(FacilityPage.objects.filter(area=area))
            | _ids(ActivityPage.objects.filter(venue__area=area))
        )
    if id_sets:
        pages = pages.filter(pk__in=sorted(set.intersection(*id_sets)))
    return pages


def run_search(pages, query):
    """Search `pages` for `query`: (results, whether prefix matching was used).

    A one- or two-character query that matches no whole term is tried as a
    prefix, so 防 finds 防災.
    """
    results = pages.search(query, operator="and")
    if len(analysis.normalize(query).replace(" ", "")) <= SHORT_QUERY_LENGTH and not results:
        return pages.autocomplete(query), True
    return results, False


def partial_matches(pages, query):
    """Ids of pages holding some but not all of the query's words, most words first.

    "Words" are what a resident typed (search.analysis.query_words): 防災 講座
    or 防災講座 are two. Among the best candidates of the any-word search,
    each word is searched on its own, so a page counts a word only when it
    holds all of that word (or its reading); ties keep the backend's rank.
    """
    words = analysis.query_words(query)[:MAX_COUNTED_WORDS]
    if len(words) < 2:
        return []
    candidates = [page.pk for page in pages.search(query, operator="or")[:PARTIAL_CANDIDATES]]
    if not candidates:
        return []
    held = dict.fromkeys(candidates, 0)
    among = pages.filter(pk__in=candidates)
    for word in words:
        for page in among.search(word, operator="and"):
            held[page.pk] += 1
    rank = {pk: position for position, pk in enumerate(candidates)}
    partial = [pk for pk in candidates if 0 < held[pk] < len(words)]
    return sorted(partial, key=lambda pk: (-held[pk], rank[pk]))


class CombinedResults:
    """Pages holding every word, then those holding some: one sequence to paginate.

    The first part stays a lazy search result (the backend slices it); the
    second is a short list of ids, fetched a page at a time.
    """

    def __init__(self, complete, partial_ids):
        self.complete = complete
        self.partial_ids = partial_ids
        self._complete_count = None

    @property
    def complete_count(self):
        if self._complete_count is None:
            self._complete_count = self.complete.count()
        return self._complete_count

    def count(self):
        return self.complete_count + len(self.partial_ids)

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        found = list(self.complete[start:stop]) if start < self.complete_count else []
        ids = self.partial_ids[max(0, start - self.complete_count) : stop - self.complete_count]
        if ids:
            pages = Page.objects.in_bulk(ids)
            found.extend(pages[pk] for pk in ids if pk in pages)
        return found


def describe(pages, query, prefix=False, partial_ids=()):
    """Template rows for one page of results: the page, its kind, date and excerpt."""
    partial_ids = set(partial_ids)
    specific = {
        page.pk: page for page in Page.objects.filter(pk__in=[p.pk for p in pages]).specific()
    }
    rows = []
    for page in pages:
        page = specific.get(page.pk, page)
        if isinstance(page, ActivityPage):
            date = page.when
        elif getattr(page, "issue_date", None):
            date = page.issue_date
        else:
            date = page.last_published_at
        rows.append(
            {
                "page": page,
                "partial": page.pk in partial_ids,
                "kind": page.specific_class._meta.verbose_name,
                "date": date,
                "excerpt": (
                    highlight(plain_text(page), query, prefix=prefix)
                    if query
                    else plain_text(page)[:140]
                ),
            }
        )
    return rows


def _results(pages, query, filtered):
    """What the search page lists: (results, prefix used, ids of partial matches).

    Matches of every word first, then pages holding some of the words;
    newest first for filters alone.
    """
    if query:
        results, prefix = run_search(pages, query)
        partial = [] if prefix else partial_matches(pages, query)
        if partial:
            return CombinedResults(results, partial), prefix, partial
        return results, prefix, []
    if filtered:
        return pages.order_by("-last_published_at", "-pk"), False, []
    return Page.objects.none(), False, []


def search(request):
    fiscal_years = ActivityPage.objects.live().public().fiscal_years()
    form = SearchForm(request.GET or None, fiscal_years=fiscal_years)
    data = {}
    if form.is_bound:
        # Invalid filters are reported beside their fields; the valid ones apply.
        form.is_valid()
        data = form.cleaned_data
    query = data.get("query", "")
    filtered = any(data.get(name) for name in ("type", "kind", "field", "area", "fy", "when"))

    pages = restrict(Page.objects.live().public().filter(depth__gt=1), data)
    page_number = request.GET.get("page")
    engine_unavailable = False
    partial = []
    try:
        results, prefix, partial = _results(pages, query, filtered)
        paginator = Paginator(results, PER_PAGE)
        result_page = paginator.get_page(page_number)
        rows = describe(result_page.object_list, query, prefix, partial)
    except Exception as error:
        # The search engine is down or overloaded: say so, keep the page up.
        if not is_engine_unavailable(error):
            raise
        logger.warning("search engine unavailable: %s", type(error).__name__)
        engine_unavailable = True
        paginator = Paginator(Page.objects.none(), PER_PAGE)
        result_page, rows = paginator.get_page(1), []

    promotions = []
    if query:
        if not engine_unavailable and (not page_number or page_number == "1"):
            record_search(request, query, found=paginator.count > 0)
        recorded = recorded_query(query)
        if recorded is not None:
            promotions = [
                promotion
                for promotion in recorded.editors_picks.select_related("page")
                if promotion.page is None or promotion.page.live
            ]

    context = {
        "form": form,
        "search_query": query,
        "search_results": result_page,
        "rows": rows,
        # No page holds every word: say that these hold only some.
        "only_partial": bool(partial) and len(partial) == paginator.count,
        "complete_count": paginator.count - len(partial) if partial else None,
        "engine_unavailable": engine_unavailable,
        "show_results": bool(query or filtered) and not engine_unavailable,
        "promotions": promotions,
        "suggestions": (
            suggestions(query) if query and paginator.count == 0 and not engine_unavailable else []
        ),
        "popular_queries": popular_queries() if not query else [],
        "filtered": filtered,
    }
    return render(request, "search/search.html", context)
