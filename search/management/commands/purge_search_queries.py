from django.conf import settings
from django.core.management.base import BaseCommand

from search.query_log import purge_old_queries


class Command(BaseCommand):
    help = "Delete stored search queries older than SEARCH_QUERY_RETENTION_DAYS."

    def handle(self, **options):
        deleted = purge_old_queries()
        self.stdout.write(
            f"Kept {settings.SEARCH_QUERY_RETENTION_DAYS} days; deleted "
            f"{deleted['queries']} queries, {deleted['daily_hits']} daily hit counts, "
            f"{deleted['searchers']} searcher records."
        )
