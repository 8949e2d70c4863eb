from django.core.management.base import BaseCommand

from cms.applications.privacy import anonymise_past


class Command(BaseCommand):
    help = (
        "Remove applicants' names and contact details APPLICATION_RETENTION_DAYS after "
        "their activity (status and number of people stay, for the plan's numbers), and "
        "delete web applications never confirmed within APPLICATION_CONFIRM_HOURS. "
        "Celery beat does this daily."
    )

    def handle(self, *args, **options):
        counts = anonymise_past()
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
