"""Models of the infrastructure app."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """Background work that could neither be queued nor done at once
    (cms/infrastructure/queue.py); sent again by `requeue_pending_tasks`."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("task waiting to be sent")
        verbose_name_plural = _("tasks waiting to be sent")

    def __str__(self):
        return f"{self.task_name} #{self.pk}"
