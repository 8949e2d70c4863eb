"""Events, lectures, cafés, study sessions and reports (講座・イベント)."""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.core import wareki
from cms.core.blocks import BaseStreamBlock
from cms.core.models import BasePage
from search.index import JapaneseAutocompleteField, JapaneseSearchField, shown_in_language

from .calendars import google_calendar_url, ical_response


class ActivityKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    CAFE = "cafe", _("Café")
    STUDY_SESSION = "study_session", _("Study session")
    REPORT = "report", _("Report meeting")
    EXHIBITION = "exhibition", _("Exhibition and exchange")
    WORKSHOP = "workshop", _("Workshop")
    OTHER = "other", _("Other")


class ApplicationMode(models.TextChoices):
    NONE = "none", _("No application needed")
    ONLINE = "online", _("Online application on this site")
    EXTERNAL = "external", _("Application on another site")


class SpeakerRole(models.TextChoices):
    LECTURER = "lecturer", _("Lecturer")
    REPORTER = "reporter", _("Reporter")
    COMMENTATOR = "commentator", _("Commentator")
    FACILITATOR = "facilitator", _("Facilitator")
    PANELLIST = "panellist", _("Panellist")


class ActivitySeries(index.Indexed, models.Model):
    """A programme that runs several times, e.g. 協働いろはのい講座."""

    name = models.CharField(pgettext_lazy("civic", "name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(pgettext_lazy("civic", "description"), blank=True)
    schedule_note = models.CharField(
        _("schedule note"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 平成24年6月、9月、12月の年3回実施予定。"),
    )

    # The admin searches through these; a viewset-level field list would make
    # SQLite's FTS backend query columns it does not have.
    search_fields = [
        JapaneseSearchField("name"),
        JapaneseSearchField("description"),
        JapaneseAutocompleteField("name"),
    ]

    class Meta:
        verbose_name = _("activity series")
        verbose_name_plural = _("activity series")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _fiscal_year_expression(field="start_date"):
    """The fiscal year (April–March) of a date column, computed in the database."""
    return ExtractYear(field) - Case(
        When(**{f"{field}__month__lt": 4}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


class ActivityQuerySet(PageQuerySet):
    def _not_ended(self, now=None):
        # The same rule as ActivityPage.has_ended: an activity is over at its
        # end time, or at the end of its last day when no end time is known.
        local = timezone.localtime(now or timezone.now())
        today, time_now = local.date(), local.time()
        return models.Q(final_day__gt=today) | (
            models.Q(final_day=today)
            & (models.Q(end_time__isnull=True) | models.Q(end_time__gt=time_now))
        )

    def with_final_day(self):
        return self.annotate(final_day=Coalesce("end_date", "start_date"))

    def upcoming(self, now=None):
        """Activities that have not ended yet, soonest first."""
        return (
            self.with_final_day()
            .filter(self._not_ended(now))
            # An activity without a start time sorts first on its day, on
            # SQLite and PostgreSQL alike.
            .order_by("start_date", F("start_time").asc(nulls_first=True), "pk")
        )

    def between(self, first, last):
        """Activities held on any day from `first` to `last`, soonest first.

        An activity over several days is included when any of its days falls
        in the range, so an exhibition that began last month still shows.
        """
        return (
            self.with_final_day()
            .filter(start_date__lte=last, final_day__gte=first)
            .order_by("start_date", F("start_time").asc(nulls_first=True), "pk")
        )

    def past(self, now=None):
        """Activities that have ended, most recent first."""
        return (
            self.with_final_day()
            .exclude(self._not_ended(now))
            .order_by("-start_date", F("start_time").desc(nulls_last=True), "-pk")
        )

    def held(self, now=None):
        """Activities that have started: what a yearly review can count."""
        local = timezone.localtime(now or timezone.now())
        return self.filter(
            models.Q(start_date__lt=local.date())
            | models.Q(start_date=local.date(), start_time__lte=local.time())
            | models.Q(start_date=local.date(), start_time__isnull=True)
        )

    def in_fiscal_year(self, fiscal_year):
        start, end = wareki.fiscal_year_bounds(fiscal_year)
        return self.filter(start_date__range=(start, end))

    def with_fiscal_year(self):
        return self.annotate(fiscal_year=_fiscal_year_expression())

    def fiscal_years(self):
        """The fiscal years that have activities, newest first."""
        years = self.order_by().with_fiscal_year().values_list("fiscal_year", flat=True)
        return sorted(set(years.distinct()), reverse=True)


ActivityManager = PageManager.from_queryset(ActivityQuerySet)


def routed_file_url(page, name):
    """The URL of a route that serves a file, e.g. ``/activities/calendar.ics``.

    RoutablePageMixin ends every route with a slash; a file name reads better
    without one, and cms/urls.py hands such paths to Wagtail. None while the
    page has no URL (a preview before the first save).
    """
    url = page.url
    return url and url + page.reverse_subpage(name).rstrip("/")


class ActivityBody(BaseStreamBlock):
    pass


class ActivityIndexPage(RoutablePageMixin, BasePage):
    """Lists activities below it, filtered by fiscal year, kind and field."""

    introduction = RichTextField(_("introduction"), blank=True)
    body = StreamField(ActivityBody(), verbose_name=_("body"), blank=True)
    show_series = models.BooleanField(
        _("group by series"),
        default=False,
        help_text=_("List the activities under their series with the series descriptions."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("body"),
        FieldPanel("show_series"),
    ]
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("introduction"),
        JapaneseSearchField("body"),
    ]

    subpage_types = ["activities.ActivityPage", "activities.ActivityIndexPage"]
    parent_page_types = ["home.HomePage", "activities.ActivityIndexPage"]

    PAST_PER_PAGE = 20
    # Months the calendar serves: anything else is a 404, not an empty page.
    CALENDAR_YEARS = range(2000, 2101)
    # Subscribed calendars keep recent activities rather than losing them the
    # day after they end.
    ICAL_PAST_DAYS = 90
    in_whats_new = False

    class Meta:
        verbose_name = _("activity index page")
        verbose_name_plural = _("activity index pages")

    def activities(self):
        return (
            ActivityPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("series", "venue")
            .prefetch_related("fields")
        )

    @path("")
    def index_route(self, request, *args, **kwargs):
        """The listing; the calendar routes render without its filters and paging."""
        return self.render(request, context_overrides=self.listing_context(request))

    @path("calendar/", name="calendar")
    @path("calendar/<int:year>/<int:month>/", name="calendar_month")
    def calendar(self, request, year=None, month=None):
        """The activities of one month, by day; the current month in Japan by default."""
        if year is None:
            first = timezone.localdate().replace(day=1)
        elif year in self.CALENDAR_YEARS and 1 <= month <= 12:
            first = datetime.date(year, month, 1)
        else:
            raise Http404
        last = (first + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
        days = defaultdict(list)
        for activity in self.activities().between(first, last):
            # One entry per activity, on its first day within the month.
            days[max(activity.start_date, first)].append(activity)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
        # An empty month points to the next one that has activities.
        upcoming = None
        if not days:
            soonest = self.activities().filter(start_date__gt=last).order_by("start_date").first()
            upcoming = soonest.start_date.replace(day=1) if soonest else None
        return self.render(
            request,
            template="activities/activity_calendar.html",
            context_overrides={
                "month": first,
                "subpage_title": wareki.format_month(first.year, first.month),
                "days": sorted(days.items()),
                "next_month_with_activities": upcoming,
                "previous_month": previous if previous.year in self.CALENDAR_YEARS else None,
                "next_month": following if following.year in self.CALENDAR_YEARS else None,
            },
        )

    @path("calendar.ics/", name="ical")
    def ical(self, request):
        """Upcoming activities and those of the last 90 days, for calendar apps."""
        since = timezone.localdate() - datetime.timedelta(days=self.ICAL_PAST_DAYS)
        activities = self.activities().with_final_day().filter(final_day__gte=since)
        return ical_response(
            request,
            activities.order_by("start_date", "pk"),
            name=self.title,
            filename=f"{self.slug}.ics",
        )

    def ical_url(self):
        return routed_file_url(self, "ical")

    def listing_context(self, request):
        """The filtered listing: upcoming activities, then past ones a page at a time."""
        from cms.applications.booking import availabilities

        from .forms import ActivityFilterForm

        activities = self.activities()
        form = ActivityFilterForm(request.GET or None, fiscal_years=activities.fiscal_years())
        activities = form.apply(activities)
        now = timezone.now()
        past = Paginator(activities.past(now), self.PAST_PER_PAGE).get_page(request.GET.get("page"))
        upcoming = list(activities.upcoming(now))
        past.object_list = list(past.object_list)
        context = {
            "filter_form": form,
            "upcoming_activities": upcoming,
            "past_activities": past,
        }
        shown = [*upcoming, *past.object_list]
        if self.show_series:
            context["series_sections"] = self.series_sections(activities)
            shown += [page for _, pages in context["series_sections"] for page in pages]
        # The cards' 「残りN席」 badges: one count of seats for the whole listing.
        found = availabilities(shown, now)
        for page in shown:
            page.availability = found[page.pk]
        return context

    def series_sections(self, activities):
        """[(series or None, [activities oldest first])] in order of first activity."""
        sections = {}
        for page in activities.order_by("start_date", "start_time", "pk"):
            sections.setdefault(page.series, []).append(page)
        return sorted(
            sections.items(),
            key=lambda item: (item[0] is None, -item[1][-1].start_date.toordinal()),
        )


class ActivityPage(RoutablePageMixin, BasePage):
    """One event, lecture, café, study session or report."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    series = models.ForeignKey(
        ActivitySeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    series_number = models.PositiveSmallIntegerField(
        _("number in the series"), null=True, blank=True, help_text=_("3 for 第3回.")
    )
    summary = models.TextField(_("summary"), blank=True)
    content = models.TextField(_("programme (内容)"), blank=True)
    body = StreamField(ActivityBody(), verbose_name=_("body"), blank=True)

    start_date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Only for activities over several days.")
    )
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    schedule_note = models.CharField(_("schedule note"), max_length=200, blank=True)

    venue = models.ForeignKey(
        "facilities.FacilityPage",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    venue_text = models.CharField(
        _("venue (free text)"),
        max_length=200,
        blank=True,
        help_text=_("A room, or a place that is not one of the facilities."),
    )
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    fee = models.CharField(_("fee"), max_length=100, blank=True)
    how_to_apply = RichTextField(_("how to apply"), blank=True)

    # Applications (cms/applications): seats are counted against `capacity`.
    application_mode = models.CharField(
        _("applications"),
        max_length=10,
        choices=ApplicationMode.choices,
        default=ApplicationMode.NONE,
    )
    application_url = models.URLField(
        _("application link"),
        blank=True,
        help_text=_("Where residents apply, when applications are taken on another site."),
    )
    applications_open_at = models.DateTimeField(
        _("applications open"),
        null=True,
        blank=True,
        help_text=_("Empty: open as soon as the page is published."),
    )
    applications_close_at = models.DateTimeField(
        _("applications close"),
        null=True,
        blank=True,
        help_text=_("Empty: open until the activity starts."),
    )
    keeps_waitlist = models.BooleanField(
        _("keep a waiting list when full"),
        default=True,
        help_text=_(
            "Residents who apply when every seat is taken join the waiting list "
            "(キャンセル待ち); a cancellation offers the seat to the first of them."
        ),
    )
    max_party_size = models.PositiveSmallIntegerField(
        _("people per application"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many people one application may bring (the applicant included)."),
    )

    fields = ParentalManyToManyField(
        "core.FieldOfActivity", verbose_name=_("fields of activity"), blank=True
    )
    plan_measures = ParentalManyToManyField(
        "plan.Measure",
        verbose_name=_("plan measures served"),
        blank=True,
        related_name="activities",
    )

    objects = ActivityManager()

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldRowPanel([FieldPanel("series"), FieldPanel("series_number")]),
            ],
            heading=_("Kind and series"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
                FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
                FieldPanel("schedule_note"),
            ],
            heading=_("Date and time"),
        ),
        MultiFieldPanel(
            [FieldPanel("venue"), FieldPanel("venue_text")],
            heading=_("Venue"),
        ),
        FieldPanel("summary"),
        FieldPanel("content"),
        FieldPanel("body"),
        InlinePanel("speakers", label=_("Speakers"), heading=_("Speakers")),
        InlinePanel(
            "participations",
            label=_("Participating groups"),
            heading=_("Participating groups"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("organiser"),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("fee")]),
                FieldPanel("how_to_apply"),
            ],
            heading=_("Organiser and application"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("application_mode"),
                FieldPanel("application_url"),
                FieldRowPanel(
                    [FieldPanel("applications_open_at"), FieldPanel("applications_close_at")]
                ),
                FieldRowPanel([FieldPanel("keeps_waitlist"), FieldPanel("max_party_size")]),
                InlinePanel(
                    "application_questions",
                    label=_("Question"),
                    heading=_("Questions on the application form"),
                ),
            ],
            heading=_("Online applications"),
        ),
        FieldPanel("fields"),
        FieldPanel("plan_measures"),
    ]

    # Everything the page shows, so a speaker's affiliation, the venue's
    # area or a participating group finds the activity. Related objects'
    # titles are indexed as text ("title_as_text"): a related field named
    # "title" would land in the backends' title column. search.index follows
    # each RelatedFields, so renaming the area or the venue re-indexes this.
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("summary"),
        JapaneseSearchField("content"),
        JapaneseSearchField("body"),
        JapaneseSearchField("organiser"),
        JapaneseSearchField("kind_label"),
        JapaneseSearchField("schedule_note"),
        JapaneseSearchField("venue_text"),
        JapaneseSearchField("fee"),
        JapaneseSearchField("how_to_apply"),
        index.FilterField("kind"),
        index.FilterField("start_date"),
        index.RelatedFields("series", [JapaneseSearchField("name")]),
        index.RelatedFields(
            "speakers",
            [
                JapaneseSearchField("name"),
                JapaneseSearchField("role_label"),
                JapaneseSearchField("affiliation"),
            ],
        ),
        index.RelatedFields(
            "venue",
            [
                JapaneseSearchField("title_as_text"),
                index.RelatedFields(
                    "area", [JapaneseSearchField("name"), JapaneseSearchField("kana")]
                ),
            ],
        ),
        index.RelatedFields("fields", [JapaneseSearchField("name")]),
        index.RelatedFields("plan_measures", [JapaneseSearchField("code_and_title")]),
        index.RelatedFields(
            "participations",
            [index.RelatedFields("group", [JapaneseSearchField("title_as_text")])],
        ),
    ]

    parent_page_types = ["activities.ActivityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def clean(self):
        super().clean()
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the date.")
        same_day = not self.end_date or self.end_date == self.start_date
        if same_day and self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        errors.update(self._application_errors())
        if errors:
            raise ValidationError(errors)

    def _application_errors(self):
        errors = {}
        if self.application_mode == ApplicationMode.ONLINE and not self.capacity:
            errors["capacity"] = _("Online applications need a capacity (定員).")
        if self.application_mode == ApplicationMode.EXTERNAL and not self.application_url:
            errors["application_url"] = _("Give the link where residents apply.")
        opens, closes = self.applications_open_at, self.applications_close_at
        if opens and closes and closes <= opens:
            errors["applications_close_at"] = _("Applications must close after they open.")
        return errors

    @property
    def takes_applications(self):
        """True when residents apply for this activity on this site."""
        return self.application_mode == ApplicationMode.ONLINE

    @property
    def last_day(self):
        return self.end_date or self.start_date

    @property
    def starts_at(self):
        time = self.start_time or datetime.time(0, 0)
        return timezone.make_aware(datetime.datetime.combine(self.start_date, time))

    @property
    def ends_at(self):
        """When the activity is over; the end of its last day if no end time is known."""
        if self.end_time:
            return timezone.make_aware(datetime.datetime.combine(self.last_day, self.end_time))
        next_day = self.last_day + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time(0, 0)))

    def kind_label(self):
        """講座, カフェ…: the kind as the page shows it."""
        return shown_in_language(self.get_kind_display)

    def has_ended(self, now=None):
        """True once the end time has passed: the page then shows 終了しました."""
        return (now or timezone.now()) >= self.ends_at

    @property
    def is_over(self):
        return self.has_ended()

    @property
    def is_multi_day(self):
        return self.last_day != self.start_date

    @property
    def time_range(self):
        """午後1時30分から4時まで: the times without the date."""
        return wareki.format_time_range(self.start_time, self.end_time)

    @property
    def fiscal_year(self):
        return wareki.fiscal_year_of(self.start_date)

    @property
    def when(self):
        return wareki.format_event_datetime(
            self.start_date, self.start_time, self.end_time, self.end_date
        )

    @property
    def series_label(self):
        """第2回 for the lecture series; empty when the title already says so."""
        if not self.series_number:
            return ""
        label = f"第{self.series_number}回"
        return "" if self.title.startswith(label) else label

    @property
    def pre_title(self):
        """The line above the heading: the series and, if the title lacks it, 第N回."""
        parts = [self.series.name if self.series else "", self.series_label]
        return " ".join(part for part in parts if part)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["participations"] = self.participations.select_related("group")
        if not self.is_over:
            context["google_calendar_url"] = google_calendar_url(self, request)
        if self.application_mode != ApplicationMode.NONE:
            from cms.applications.booking import availability

            context["availability"] = availability(self)
        return context

    @path("event.ics/", name="ical")
    def ical(self, request):
        """This activity as an iCalendar file for residents' calendar apps."""
        return ical_response(request, [self], name=self.title, filename=f"activity-{self.pk}.ics")

    def ical_url(self):
        return routed_file_url(self, "ical")

    @property
    def venue_label(self):
        parts = [self.venue.title if self.venue else "", self.venue_text]
        return " ".join(part for part in parts if part)


class ActivitySpeaker(Orderable):
    page = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="speakers")
    role = models.CharField(_("role"), max_length=20, choices=SpeakerRole.choices)
    name = models.CharField(pgettext_lazy("civic", "name"), max_length=100)
    affiliation = models.CharField(_("affiliation"), max_length=300, blank=True)

    panels = [FieldPanel("role"), FieldPanel("name"), FieldPanel("affiliation")]

    class Meta(Orderable.Meta):
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return self.name

    def role_label(self):
        """講師, 報告者…: the role as the page shows it."""
        return shown_in_language(self.get_role_display)


class ActivityParticipation(Orderable):
    """A civic group that took part in an activity (参加・情報提供団体)."""

    page = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="participations")
    group = models.ForeignKey(
        "groups.GroupPage",
        verbose_name=pgettext_lazy("civic", "group"),
        on_delete=models.CASCADE,
        related_name="participations",
    )

    panels = [FieldPanel("group")]

    class Meta(Orderable.Meta):
        verbose_name = _("participating group")
        verbose_name_plural = _("participating groups")
        constraints = [
            models.UniqueConstraint(fields=["page", "group"], name="unique_participation")
        ]

    def __str__(self):
        return str(self.group)


class ApplicationQuestion(Orderable):
    """A question the application form asks, e.g. 「託児を希望しますか」."""

    page = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="application_questions")
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)

    panels = [FieldPanel("label"), FieldPanel("help_text"), FieldPanel("required")]

    class Meta(Orderable.Meta):
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")

    def __str__(self):
        return self.label
