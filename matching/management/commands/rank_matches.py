import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching.importer import ImportError_, load_file
from matching.ranking_io import rank_profiles_data
from matching.validation import ProfileError, file_errors


class Command(BaseCommand):
    help = "Rank opportunities or groups for the profiles in a JSON file; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--profiles", required=True, help="JSON file: a list of profiles")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--kind", choices=["opportunities", "groups"], default="opportunities")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, **options):
        if not 1 <= options["limit"] <= 100:
            raise CommandError(_("--limit must be between 1 and 100."))
        try:
            data = load_file(options["profiles"])
            output = rank_profiles_data(data, limit=options["limit"], kind=options["kind"])
        except ImportError_ as error:
            raise CommandError(str(error)) from None
        except ProfileError as error:
            raise CommandError(file_errors(error, _("Nothing was ranked."))) from None
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
