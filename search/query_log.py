"""What the site keeps of what visitors search for, and how it forgets.

Search queries are stored (wagtail.contrib.search_promotions' Query and
QueryDailyHits) for the editors' search promotions and the popular-queries
list. People type names, addresses and phone numbers into search boxes, so
what is stored is erased with a resident (forget_mentions).
"""

import re
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace

from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

from . import analysis

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
