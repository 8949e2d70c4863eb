from django.core.management.base import BaseCommand

from cms.infrastructure.queue import requeue_pending


class Command(BaseCommand):
    help = (
        "Send again the background work (e-mails, search index updates) that was kept "
        "in the database while Redis and the inline run both failed. Celery beat does "
        "this every 5 minutes; run it by hand after an outage."
    )

    def handle(self, *args, **options):
        sent, left = requeue_pending()
        self.stdout.write(f"sent {sent}, still pending {left}")
        if left:
            self.stderr.write(
                "some tasks are still failing: see last_error in the core_pendingtask table"
            )
