"""Background work of the core app."""

from celery import shared_task

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.infrastructure.tasks import MAIL_TASK

from .models import PageFeedback


@shared_task(**MAIL_TASK)
def notify_page_feedback(feedback_id):
    """E-mail the office about a feedback answer that carries a comment.

    Marks the answer as notified so a retried task never sends twice.
    """
    feedback = PageFeedback.objects.filter(pk=feedback_id, notified_at__isnull=True).first()
    if feedback is None or not feedback.comment or not settings.FEEDBACK_NOTIFY_EMAILS:
        return False
    lines = [
        (_("Page"), feedback.page_title),
        ("URL", feedback.page_url),
        (_("Usefulness"), feedback.get_usefulness_display()),
        (_("Findability"), feedback.get_findability_display() or "-"),
    ]
    body = "\n".join([f"{label}: {value}" for label, value in lines] + ["", feedback.comment])
    send_mail(
        _("Page feedback: %(title)s") % {"title": feedback.page_title},
        body,
        settings.DEFAULT_FROM_EMAIL,
        settings.FEEDBACK_NOTIFY_EMAILS,
    )
    PageFeedback.objects.filter(pk=feedback.pk).update(notified_at=timezone.now())
    return True
