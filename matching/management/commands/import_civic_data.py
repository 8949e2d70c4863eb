from django.core.management.base import BaseCommand, CommandError

from matching.importer import ImportError_, import_civic_data, load_file


class Command(BaseCommand):
    help = (
        "Upsert areas, skills, groups and opportunities from a JSON file, by slug. "
        "A bad file changes nothing; the error names the record and the field."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON file")

    def handle(self, *args, **options):
        try:
            report = import_civic_data(load_file(options["file"]))
        except ImportError_ as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        self.stdout.write(report.summary())
