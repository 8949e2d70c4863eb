from django.core.management.base import BaseCommand

from cms.applications.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Queue the reminder e-mail for every application whose activity starts within "
        "APPLICATION_REMINDER_DAYS and has not been reminded yet. Celery beat does this "
        "hourly; each application is reminded once however often it runs."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"reminders queued: {send_due_reminders()}")
