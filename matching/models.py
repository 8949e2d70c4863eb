"""What the matching workflow stores: skills, time slots, residents'
profiles, suggested matches and their audit trail, and the ranking weights.

The ranking itself lives in matching.engine and works on plain records.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.search import index

from cms.infrastructure.abuse import address_digest
from search.index import JapaneseAutocompleteField, JapaneseSearchField

from . import validation
from .engine.records import Weights
from .engine.slots import DAYS, PERIODS, slot_label


class Skill(index.Indexed, models.Model):
    """A skill residents offer and opportunities ask for (保育, 翻訳, パソコン…)."""

    name = models.CharField(pgettext_lazy("civic", "name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_("Other words residents use for this skill, one per line or comma-separated."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    search_fields = [
        JapaneseSearchField("name"),
        JapaneseSearchField("aliases"),
        JapaneseAutocompleteField("name"),
    ]

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [
            alias.strip()
            for alias in self.aliases.replace("、", ",").replace("\n", ",").split(",")
            if alias.strip()
        ]


class TimeSlot(models.Model):
    """One of the 21 weekly slots (mon-am … sun-eve); rows made by a migration."""

    code = models.CharField(_("code"), max_length=7, unique=True)
    day = models.PositiveSmallIntegerField(_("day"))
    period = models.PositiveSmallIntegerField(_("period"))

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["day", "period"]

    def __str__(self):
        return str(slot_label(self.code))

    @classmethod
    def code_for(cls, day, period):
        return f"{DAYS[day]}-{PERIODS[period]}"

    @classmethod
    def ensure_all(cls):
        """{code: slot} for all 21 slots, creating any that are missing.

        A migration creates them; a database emptied since (a flush in the
        service tests) does not have them.
        """
        slots = {slot.code: slot for slot in cls.objects.all()}
        for day in range(len(DAYS)):
            for period in range(len(PERIODS)):
                code = cls.code_for(day, period)
                if code not in slots:
                    slots[code] = cls.objects.create(code=code, day=day, period=period)
        return slots


EMAIL_DIGEST_SALT = "matching.resident-email"


def email_digest(address):
    """A resident's address as task arguments and lookups carry it."""
    return address_digest(address, EMAIL_DIGEST_SALT)


class ResidentProfile(models.Model):
    """A resident who asked to be matched. Contact details are for coordinators only."""

    class Channel(models.TextChoices):
        # Unconfirmed web registrations are purged after a week; what the
        # office enters (by phone, at the counter, imported) is not.
        WEB = "web", _("the website")
        OFFICE = "office", _("the office")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The id used in imported or evaluated profile files."),
    )
    name = models.CharField(pgettext_lazy("resident", "name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    # email_digest(email), kept up to date by save().
    email_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True)
    # Its length, like max_km's range, is checked by clean(): matching.validation.
    interests = models.TextField(_("interests"), blank=True)
    slots = models.ManyToManyField(TimeSlot, verbose_name=_("available times"), blank=True)
    home_area = models.ForeignKey(
        "core.Area",
        verbose_name=_("home area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    max_km = models.DecimalField(
        _("maximum distance (km)"),
        max_digits=4,
        decimal_places=1,
        default=3,
    )
    consent = models.BooleanField(_("agreed to be contacted about matches"), default=False)
    consented_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    receives_suggestions = models.BooleanField(_("receives suggestions"), default=True)
    # The weekly digest (matching/digest.py) is opt-in: nothing is sent unasked.
    receives_digest = models.BooleanField(_("receives the weekly digest"), default=False)
    digest_sent_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)
    registered_through = models.CharField(
        _("registered through"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.OFFICE,
        editable=False,
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email_digest = email_digest(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_digest"}
        super().save(*args, **kwargs)

    def clean(self):
        """The profile's own answers by the one validator (matching.validation),
        as the API, the form and profile files are. Its skills and slots are
        rows that exist by construction; none stored means any time."""
        super().clean()
        cleaned, errors = validation.clean_fields(
            {"interests": self.interests, "max_km": self.max_km},
            validation.Vocabulary(),
            fields=("interests", "max_km"),
        )
        if errors:
            raise ValidationError(
                {error.field: ValidationError(error.message, code=error.code) for error in errors}
            )
        self.interests = cleaned["interests"]
        self.max_km = Decimal(str(cleaned["max_km"]))


class Suggestion(models.Model):
    """A suggested match of a resident with an opportunity or a group."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        ENGINE = "engine", _("Matching engine")
        RESIDENT = "resident", _("Resident asked to take part")

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED)

    profile = models.ForeignKey(
        ResidentProfile,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    opportunity = models.ForeignKey(
        "opportunities.OpportunityPage",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    group = models.ForeignKey(
        "groups.GroupPage",
        verbose_name=pgettext_lazy("civic", "group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.ENGINE
    )
    message = models.TextField(_("resident's message"), blank=True, max_length=1000)
    notes = models.TextField(_("coordinator's notes"), blank=True)
    created_at = models.DateTimeField(_("suggested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("suggested match")
        verbose_name_plural = _("suggested matches")
        ordering = ["-created_at", "-score"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opportunity__isnull=False, group__isnull=True)
                | models.Q(opportunity__isnull=True, group__isnull=False),
                name="suggestion_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["profile", "opportunity"],
                condition=models.Q(opportunity__isnull=False),
                name="one_suggestion_per_opportunity",
            ),
            models.UniqueConstraint(
                fields=["profile", "group"],
                condition=models.Q(group__isnull=False),
                name="one_suggestion_per_group",
            ),
        ]

    def __str__(self):
        return f"{self.profile} → {self.target}"

    @property
    def target(self):
        return self.opportunity or self.group

    @property
    def target_kind(self):
        return "opportunity" if self.opportunity_id else "group"

    @property
    def history(self):
        """The audit trail as lines: when, who, from → to, note."""
        lines = []
        for event in self.events.select_related("user"):
            when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
            who = event.user.get_username() if event.user else "-"
            change = ""
            if event.to_status:
                change = f"{self._label(event.from_status)} → {self._label(event.to_status)}"
            lines.append(" ".join(part for part in (when, who, change, event.note) if part))
        return "\n".join(lines)

    def _label(self, status):
        return self.Status(status).label if status in self.Status.values else status

    @property
    def score_display(self):
        return f"{self.score:.2f}"

    @property
    def reasons_text(self):
        return " / ".join(self.reasons or [])


class SuggestionEvent(models.Model):
    """The audit trail of a suggestion: every status change and note, by whom."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="events", verbose_name=_("suggestion")
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class PendingInterest(models.Model):
    """「参加してみたい」 waiting for the address's owner to confirm it by e-mail.

    Until then nothing changes for the coordinators: a stranger typing a
    resident's address neither reopens their suggestion nor speaks for them.
    """

    profile = models.ForeignKey(
        ResidentProfile, on_delete=models.CASCADE, related_name="pending_interests"
    )
    opportunity = models.ForeignKey(
        "opportunities.OpportunityPage", on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(blank=True, max_length=1000)
    # The ranking of what the form said, computed when it was sent.
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("request to take part awaiting confirmation")
        verbose_name_plural = _("requests to take part awaiting confirmation")

    def __str__(self):
        return f"#{self.pk}"


class AccessToken(models.Model):
    """A single-use link sent by e-mail. Only the SHA-256 digest of the random
    token is stored: the token itself exists only in the e-mail (matching/tokens.py)."""

    class Purpose(models.TextChoices):
        MY_DATA = "my-data", _("see or delete one's data")
        CONFIRM_REGISTRATION = "confirm-registration", _("confirm a registration")
        CONFIRM_INTEREST = "confirm-interest", _("confirm a request to take part")

    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    # A my-data link opens what is held for an address (email_digest): the
    # profiles, and applications for activities, which need no profile.
    profile = models.ForeignKey(
        ResidentProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_tokens",
    )
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    interest = models.ForeignKey(
        PendingInterest, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access link")
        verbose_name_plural = _("access links")

    def __str__(self):
        return f"{self.purpose} #{self.pk}"


def _weight_field(label, default):
    return models.FloatField(
        label, default=default, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )


DEFAULT_WEIGHTS = Weights()


@register_setting(icon="cog")
class MatchingSettings(BaseSiteSetting):
    """The ranking weights, in one place coordinators can change."""

    text_weight = _weight_field(_("weight: words in common"), DEFAULT_WEIGHTS.text)
    skills_weight = _weight_field(_("weight: skills"), DEFAULT_WEIGHTS.skills)
    availability_weight = _weight_field(_("weight: available times"), DEFAULT_WEIGHTS.availability)
    distance_weight = _weight_field(_("weight: distance"), DEFAULT_WEIGHTS.distance)
    crowding_weight = _weight_field(
        _("penalty: full or crowded opportunities"), DEFAULT_WEIGHTS.crowding
    )
    distance_decay_km = models.FloatField(
        _("softness of the distance penalty beyond a resident's maximum (km)"),
        default=DEFAULT_WEIGHTS.distance_decay_km,
        validators=[MinValueValidator(0.1), MaxValueValidator(50)],
    )
    suggestions_per_resident = models.PositiveSmallIntegerField(
        _("suggestions kept per resident"), default=5
    )

    class Meta:
        verbose_name = _("matching settings")

    def weights(self):
        return Weights(
            text=self.text_weight,
            skills=self.skills_weight,
            availability=self.availability_weight,
            distance=self.distance_weight,
            crowding=self.crowding_weight,
            distance_decay_km=self.distance_decay_km,
        )


class PersonalDataAccess(models.Model):
    """Who saw, exported or deleted residents' personal data, and when
    (matching/privacy.py). Read-only in the admin; no personal data in it."""

    class Action(models.TextChoices):
        LISTED = "listed", _("listed")
        VIEWED = "viewed", _("viewed")
        EDITED = "edited", _("edited")
        EXPORTED = "exported", _("exported")
        DELETED = "deleted", _("deleted")
        RESIDENT_VIEWED = "resident-viewed", _("viewed by the resident")
        RESIDENT_EXPORTED = "resident-exported", _("exported by the resident")
        RESIDENT_DELETED = "resident-deleted", _("deleted by the resident")
        PURGED = "purged", _("deleted at the end of the retention period")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the account is deleted later.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(
        pgettext_lazy("access log", "action"), max_length=20, choices=Action.choices
    )
    record_type = models.CharField(_("record type"), max_length=50)
    record_ids = models.TextField(_("record ids"), blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.record_type}"
