from django.core.management.base import BaseCommand, CommandError

from matching import search_index
from matching.engine.indexing import EngineUnavailable


class Command(BaseCommand):
    help = (
        "Index every open opportunity and group into the matching index on the search "
        "engine (OPENSEARCH_URL), then switch ranking to it at once: the old index "
        "serves until the new one is complete."
    )

    def handle(self, *args, **options):
        if not search_index.is_configured():
            raise CommandError("No search engine is configured: set OPENSEARCH_URL.")
        try:
            counts = search_index.rebuild_index()
        except EngineUnavailable as error:
            raise CommandError(f"The matching index was not rebuilt: {error}") from None
        names = search_index.index_names()
        self.stdout.write(
            f"{names.opportunities}: {counts['opportunities']} opportunities, "
            f"{names.groups}: {counts['groups']} groups"
        )
