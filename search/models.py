"""What search keeps beside Wagtail's query log: who searched, and editors' picks.

Wagtail's Query/QueryDailyHits count searches; they cannot tell one
visitor typing a phrase five times from five residents. QuerySearcher
records, for a search that found pages, a keyed digest of the client that
changes every day (search.query_log.client_digest), never the address.
"""

from django.core.validators import MinLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.contrib.search_promotions.models import Query


class QuerySearcher(models.Model):
    """One client that searched a query on one day and found pages."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="searchers")
    date = models.DateField(db_index=True)
    client = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["query", "date", "client"], name="search_one_searcher_a_day"
            )
        ]

    def __str__(self):
        return f"{self.query} {self.date}"


class PopularSearchTerm(models.Model):
    """A term editors list under よく検索されている言葉 in place of the computed list."""

    query = models.CharField(
        _("search term"),
        max_length=30,
        unique=True,
        validators=[MinLengthValidator(1)],
        help_text=_("Shown on the search page as typed; a link searches for it."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("often searched term")
        verbose_name_plural = _("Often searched")

    def __str__(self):
        return self.query
