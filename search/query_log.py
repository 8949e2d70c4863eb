"""What the site keeps of what visitors search for, and how it forgets.

Search queries are stored (wagtail.contrib.search_promotions' Query and
QueryDailyHits) for the editors: their search promotions and Wagtail's
search-terms report. People type names, e-mail addresses and phone numbers
into search boxes, and anyone can type anything, so:

- queries that look like contact data (phone numbers, e-mail addresses,
  URLs) or are longer than SEARCH_QUERY_MAX_LENGTH are not stored at all;
- the public list of often searched words (popular_queries) is the editors'
  list when they keep one; otherwise queries that found pages for at least
  SEARCH_POPULAR_MIN_CLIENTS different clients within the retention
  window. A client is a keyed digest of its address that changes every day
  (client_digest): the address itself is never stored;
- everything is deleted after SEARCH_QUERY_RETENTION_DAYS (purge_old_queries,
  daily), and with a resident who is erased (forget_mentions).
"""

import datetime
import re
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
from wagtail.search.utils import normalise_query_string

from cms.infrastructure.abuse import client_network

from . import analysis
from .models import PopularSearchTerm, QuerySearcher

# Shown publicly: a pasted paragraph is not a word people look for.
POPULAR_QUERY_MAX_LENGTH = 30

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+|@[a-z0-9-]+\.[a-z]")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]+\.(?:[a-z0-9-]+\.)*[a-z]{2,}(?:/|\b)")
_DASHES = "-‐‑‒–—―−ー－"
# Digits joined by dashes, dots or brackets (090-1234-5678, (0422)51-5131);
# with spaces too (0120 123 456), which years and counts rarely are.
_PHONE_JOINED = re.compile(rf"\d[\d{re.escape(_DASHES)}().]*\d")
_PHONE_SPACED = re.compile(rf"\d[\d{re.escape(_DASHES)}().\s]*\d")
PHONE_MIN_DIGITS = 7
PHONE_SPACED_MIN_DIGITS = 10


def _digits(text):
    return sum(character.isdigit() for character in text)


def looks_like_contact_data(text):
    """True for text holding a phone number, an e-mail address or a URL.

    Such queries are someone's contact data, or an advertisement for a
    scam ("0120-… へ電話を"): they are neither stored nor shown.
    """
    text = analysis.normalize(text)
    if _EMAIL.search(text) or _URL.search(text):
        return True
    if any(_digits(run) >= PHONE_MIN_DIGITS for run in _PHONE_JOINED.findall(text)):
        return True
    return any(_digits(run) >= PHONE_SPACED_MIN_DIGITS for run in _PHONE_SPACED.findall(text))


def stored_form(query):
    """The query as it is stored and compared, or "" when it is not to be stored."""
    query_string = normalise_query_string(" ".join(analysis.normalize(query).split()))
    if len(query_string) > settings.SEARCH_QUERY_MAX_LENGTH:
        return ""
    if looks_like_contact_data(query_string):
        return ""
    return query_string


def client_digest(request, date):
    """Who searched, as a keyed digest that changes every day.

    HMAC (SECRET_KEY) of the date and the address (IPv6: its /64, one
    household's prefix): the same client is counted once a day, and the
    digests of two days cannot be linked without the key.
    """
    value = f"{date.isoformat()}|{client_network(request)}"
    return salted_hmac("search.query_log.client", value, algorithm="sha256").hexdigest()[:32]


def record_search(request, query, found):
    """Keep that `query` was searched (one hit), and by whom if it `found` pages.

    Nothing is kept for queries that look like contact data or are too long.
    """
    query_string = stored_form(query)
    if not query_string:
        return
    today = timezone.localdate()
    recorded = Query.get(query_string)
    recorded.add_hit(date=today)
    if found:
        try:
            with transaction.atomic():
                QuerySearcher.objects.get_or_create(
                    query=recorded, date=today, client=client_digest(request, today)
                )
        except IntegrityError:
            pass  # the same client's other request recorded it first


def recorded_query(query):
    """The stored Query for `query` (for its promotions), or None; creates nothing."""
    query_string = normalise_query_string(" ".join(analysis.normalize(query).split()))
    return Query.objects.filter(query_string=query_string).first()


def retention_start(today=None):
    """The first day whose searches are still kept."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.SEARCH_QUERY_RETENTION_DAYS)


def popular_queries(limit=10):
    """The words shown under よく検索されている言葉, most searched first.

    The editors' list when it has any terms; otherwise queries that found
    pages for at least SEARCH_POPULAR_MIN_CLIENTS different clients since
    the retention window began, leaving out contact data and long text.
    """
    curated = list(PopularSearchTerm.objects.values_list("query", flat=True)[:limit])
    if curated:
        return curated
    candidates = (
        Query.objects.filter(searchers__date__gte=retention_start())
        .annotate(clients=Count("searchers__client", distinct=True))
        .filter(clients__gte=settings.SEARCH_POPULAR_MIN_CLIENTS)
        .order_by("-clients", "query_string")
        .values_list("query_string", flat=True)
    )
    shown = []
    for query_string in candidates[: limit * 3]:
        if len(query_string) <= POPULAR_QUERY_MAX_LENGTH and not looks_like_contact_data(
            query_string
        ):
            shown.append(query_string)
    return shown[:limit]


def purge_old_queries(today=None):
    """Delete what is past the retention period; returns {what: how many}.

    Daily hits and searchers older than SEARCH_QUERY_RETENTION_DAYS, then
    every query with neither left (unless editors promote it), and queries
    stored before this module filtered them that hold contact data or are
    too long. Wagtail's searchpromotions_garbage_collect does the first and
    third steps with WAGTAILSEARCH_HITS_MAX_AGE, which the settings align.
    """
    start = retention_start(today)
    with transaction.atomic():
        hits, _ = QueryDailyHits.objects.filter(date__lt=start).delete()
        searchers, _ = QuerySearcher.objects.filter(date__lt=start).delete()
        unpromoted = Query.objects.filter(editors_picks__isnull=True)
        unused = unpromoted.filter(daily_hits__isnull=True, searchers__isnull=True)
        unwanted = [
            query.pk
            for query in unpromoted.only("pk", "query_string").iterator()
            if len(query.query_string) > settings.SEARCH_QUERY_MAX_LENGTH
            or looks_like_contact_data(query.query_string)
        ]
        gone = Query.objects.filter(Q(pk__in=unused.values("pk")) | Q(pk__in=unwanted))
        _, deleted = gone.delete()
    queries = deleted.get(Query._meta.label, 0)
    return {"daily_hits": hits, "searchers": searchers, "queries": queries}


# A phone number is typed with or without hyphens: 090-1234-5678, 09012345678.
_PHONE_LIKE = re.compile(r"^[\d\-‐ー()\s+]+$")
_NOT_DIGITS = re.compile(r"\D")


def _spellings(value):
    """The forms `value` may have been typed in: as given, without spaces, digits only."""
    value = " ".join(analysis.normalize(value).split())
    if not value:
        return set()
    spellings = {value, value.replace(" ", "")}
    if _PHONE_LIKE.match(value):
        digits = _NOT_DIGITS.sub("", value)
        if len(digits) >= 4:
            spellings.add(digits)
    return spellings


def forget_mentions(values: Iterable[str]) -> int:
    """Delete the stored search queries that contain any of `values`.

    Comparison is case-insensitive, after the normalisation search applies
    (NFKC, lower case), and ignores spaces and a phone number's hyphens. A
    query an editor promotes (search promotions) is editors' content: its
    promotions stay, the record of who searched it and when goes. Returns
    how many stored queries were forgotten.
    """
    spellings = set()
    for value in values:
        if value:
            spellings |= _spellings(str(value))
    if not spellings:
        return 0
    compact = Replace(Replace("query_string", Value(" "), Value("")), Value("-"), Value(""))
    condition = reduce(
        or_,
        (
            Q(query_string__icontains=s) | Q(compact__icontains=s.replace("-", ""))
            for s in spellings
        ),
    )
    with transaction.atomic():
        matching = Query.objects.annotate(compact=compact).filter(condition)
        ids = list(matching.values_list("pk", flat=True))
        promoted = set(
            Query.objects.filter(pk__in=ids, editors_picks__isnull=False).values_list(
                "pk", flat=True
            )
        )
        QueryDailyHits.objects.filter(query_id__in=promoted).delete()
        Query.objects.filter(pk__in=set(ids) - promoted).delete()
    return len(ids)
