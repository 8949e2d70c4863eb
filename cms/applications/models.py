"""Residents' applications for activities (参加申込), with capacity and a waiting list.

An application names a person and holds their contact details until
APPLICATION_RETENTION_DAYS after the activity; then only its status and
number of people are kept (cms/applications/privacy.py), which is what the
plan's yearly review counts.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The digest residents' profiles use: 登録内容の確認・削除 finds an address's
# profiles and applications with one link.
from matching.models import email_digest


class ApplicationQuerySet(models.QuerySet):
    def holding_seats(self):
        return self.filter(status__in=Application.SEAT_HOLDING)

    def waitlisted(self):
        return self.filter(status=Application.Status.WAITLISTED).order_by("waitlisted_at", "pk")

    def people(self):
        """The number of people in these applications (each brings party_size)."""
        return self.aggregate(n=models.Sum("party_size"))["n"] or 0


class Application(models.Model):
    """One resident's application, for themselves and `party_size - 1` others."""

    class Status(models.TextChoices):
        # Web applications hold no seat until the address's owner confirms
        # them: a stranger cannot fill a lecture with made-up addresses.
        UNCONFIRMED = "unconfirmed", _("Awaiting e-mail confirmation")
        BOOKED = "booked", pgettext_lazy("application status", "Applied")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("application status", "Cancelled")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")

    class Channel(models.TextChoices):
        WEB = "web", _("the website")
        OFFICE = "office", _("phone or counter (entered by the office)")

    class Reply(models.TextChoices):
        NONE = "", _("no answer")
        COMING = "coming", _("will attend")
        NOT_COMING = "not-coming", _("can no longer attend")

    SEAT_HOLDING = (Status.BOOKED, Status.ATTENDED, Status.ABSENT)
    # What the office marks on the attendance sheet.
    ATTENDANCE = (Status.ATTENDED, Status.ABSENT)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(
        "activities.ActivityPage",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    status = models.CharField(
        pgettext_lazy("application", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.UNCONFIRMED,
        db_index=True,
    )
    channel = models.CharField(
        _("applied through"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    name = models.CharField(pgettext_lazy("resident", "name"), max_length=100)
    name_kana = models.CharField(_("name in kana (ふりがな)"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # email_digest(email), kept up to date by save(): finds an address's
    # applications for 登録内容の確認・削除 without a query on the address.
    email_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    party_size = models.PositiveSmallIntegerField(
        _("number of people"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    # [{"question": label, "answer": text}], as asked when the resident applied.
    answers = models.JSONField(_("answers"), default=list, blank=True)
    note = models.TextField(_("message to the organiser"), blank=True, max_length=1000)
    consented_at = models.DateTimeField(_("agreed to the privacy notice at"), null=True)

    created_at = models.DateTimeField(_("applied at"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("joined the waiting list at"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("given a seat from the waiting list at"), null=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    reply = models.CharField(
        _("answer to the reminder"), max_length=12, choices=Reply.choices, blank=True
    )
    replied_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    attendance_marked_at = models.DateTimeField(_("attendance marked at"), null=True)
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["activity", "status"], name="application_activity_status")]
        permissions = [
            ("manage_applications", _("Can see and manage applicants of activities")),
        ]

    def __str__(self):
        # No personal data: this is what log lines and the admin's titles show.
        return _("Application #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        self.email_digest = email_digest(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_digest"}
        super().save(*args, **kwargs)

    @property
    def holds_seats(self):
        return self.status in self.SEAT_HOLDING

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None


class ApplicationLink(models.Model):
    """A link sent by e-mail to confirm or manage an application.

    As matching.tokens does for residents, only the SHA-256 digest of the
    random token is stored; the token exists only in the e-mail.
    """

    class Purpose(models.TextChoices):
        CONFIRM = "confirm", _("confirm an application")
        MANAGE = "manage", _("see, confirm or cancel an application")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application link")
        verbose_name_plural = _("application links")

    def __str__(self):
        return f"{self.purpose} #{self.pk}"


class ApplicantMessage(models.Model):
    """An e-mail the office sent to every applicant of an activity."""

    activity = models.ForeignKey(
        "activities.ActivityPage",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="applicant_messages",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    # Which applicants it went to: Application.Status values.
    statuses = models.JSONField(_("sent to"), default=list)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message to applicants")
        verbose_name_plural = _("messages to applicants")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject
