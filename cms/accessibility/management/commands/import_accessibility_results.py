from django.core.management.base import BaseCommand, CommandError

from cms.accessibility.importer import import_results_file
from cms.accessibility.results import ResultsError


class Command(BaseCommand):
    help = (
        "Store an automated accessibility test run (the JSON file the browser tests "
        "write). A bad file changes nothing; the error says what is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the results JSON file")

    def handle(self, *args, **options):
        try:
            outcome = import_results_file(options["file"])
        except ResultsError as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        self.stdout.write(outcome.summary())
