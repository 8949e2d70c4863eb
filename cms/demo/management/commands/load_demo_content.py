import logging

from django.core.management.base import BaseCommand

from cms.demo.loader import load_demo_content


class Command(BaseCommand):
    help = "Build the demo site from the seed documents (idempotent)."

    def handle(self, *args, **options):
        if options["verbosity"] < 2:
            # Wagtail logs every page it creates; a summary is enough here.
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        report = load_demo_content()
        counts = report.summary()
        if not counts:
            self.stdout.write("Demo content is already loaded; nothing changed.")
            return
        for kind, count in sorted(counts.items()):
            self.stdout.write(f"created {count} × {kind}")
