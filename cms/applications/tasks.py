"""Background work of applications (Celery): applicants' e-mails, reminders.

No task argument is personal data: tasks get ids. Links are made inside the
task at send time (cms/applications/links.py).
"""

from celery import shared_task


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_application_mail(application_id, kind):
    """The e-mail of `kind` (booking.Mail) to the applicant: written in issue 14's
    public-side work (this module is being filled in)."""
    raise NotImplementedError


@shared_task
def send_reminders():
    """Hourly (celery beat): reminders APPLICATION_REMINDER_DAYS before each activity."""
    raise NotImplementedError


@shared_task
def anonymise_past_applications():
    """Daily (celery beat): applicants' personal data removed after the retention period."""
    raise NotImplementedError
