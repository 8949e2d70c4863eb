from django.core.management.base import BaseCommand

from cms.demo.loader import load_demo_content


class Command(BaseCommand):
    help = "Build the demo site from the seed documents (idempotent)."

    def handle(self, *args, **options):
        report = load_demo_content()
        counts = report.summary()
        if not counts:
            self.stdout.write("Demo content is already loaded; nothing changed.")
            return
        for kind, count in sorted(counts.items()):
            self.stdout.write(f"created {count} × {kind}")
