import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching.evaluation_io import evaluate_files
from matching.importer import ImportError_
from matching.validation import ProfileError, file_errors


class Command(BaseCommand):
    help = (
        "NDCG@10 and precision@5 of the ranking on labelled cases: "
        '--judgments holds {"profile id": {"opportunity slug": grade 0-3}}; a slug '
        'that two groups use is written "group-slug/opportunity-slug".'
    )

    def add_arguments(self, parser):
        parser.add_argument("--profiles", required=True)
        parser.add_argument("--judgments", required=True)
        parser.add_argument(
            "--baselines",
            action="store_true",
            help="also score the skill-only and text-only rankings",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        try:
            report = evaluate_files(
                options["profiles"], options["judgments"], baselines=options["baselines"]
            )
        except ImportError_ as error:
            raise CommandError(str(error)) from None
        except ProfileError as error:
            raise CommandError(file_errors(error, _("Nothing was evaluated."))) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{report['profiles']} labelled profiles")
        self.stdout.write(f"{'ranking':<22} {'NDCG@10':>8} {'P@5':>6}")
        for name, scores in report["rankings"].items():
            self.stdout.write(f"{name:<22} {scores['ndcg@10']:>8.3f} {scores['precision@5']:>6.3f}")
