"""The plan's yearly progress review (計画の進捗管理): what was done for each measure.

Per measure and fiscal year it counts the activities held on this site, those
still to come (予定), the people who applied for the held ones (the party
sizes of applications that hold seats: booked, attended, absent) and the
people who attended, then adds the figures the office entered for events run
without the site (ParticipationRecord). Only activities that have started
count as held: a review counts what was done, not what is planned.

Everything is counted in the database, in a fixed number of grouped queries
whatever the number of activities. Anonymised applications still count: they
keep their status and party size.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from cms.core import wareki

from .models import Measure, ParticipationRecord


@dataclass
class Counts:
    held: int = 0
    applicants: int = 0
    attendees: int = 0

    def add(self, held=0, applicants=0, attendees=0):
        self.held += held or 0
        self.applicants += applicants or 0
        self.attendees += attendees or 0

    def __bool__(self):
        return bool(self.held or self.applicants or self.attendees)


@dataclass
class Cell:
    """The figures of one measure (or of the plan as a whole) in one fiscal year."""

    site: Counts = field(default_factory=Counts)
    entered: Counts = field(default_factory=Counts)
    scheduled: int = 0

    @property
    def held(self):
        return self.site.held + self.entered.held

    @property
    def applicants(self):
        return self.site.applicants + self.entered.applicants

    @property
    def attendees(self):
        return self.site.attendees + self.entered.attendees

    @property
    def has_entered(self):
        return bool(self.entered)


@dataclass
class MeasureRow:
    measure: Measure
    # Aligned with PlanProgress.years.
    cells: list


@dataclass
class PlanProgress:
    plan: object
    years: list
    current_fiscal_year: int
    rows: list
    # {year: Cell}; an activity or record serving several measures counts once.
    totals: dict

    def __post_init__(self):
        self._cells = {
            (row.measure.pk, year): cell
            for row in self.rows
            for year, cell in zip(self.years, row.cells, strict=True)
        }

    def cell(self, measure, year):
        """The figures of `measure` (a Measure or its id) in `year`."""
        return self._cells.get((getattr(measure, "pk", measure), year)) or Cell()

    def total(self, year):
        return self.totals.get(year) or Cell()

    def year_rows(self, year):
        """[(measure, Cell)] for one fiscal year, in the plan's order."""
        return [(row.measure, self.cell(row.measure, year)) for row in self.rows]

    @property
    def has_entered(self):
        """Whether any figure was entered by the office rather than counted."""
        return any(cell.has_entered for cell in self.totals.values())

    @property
    def total_cells(self):
        return [self.total(year) for year in self.years]


def _people():
    from cms.applications.models import Application

    seats = Q(applications__status__in=Application.SEAT_HOLDING)
    attended = Q(applications__status=Application.Status.ATTENDED)
    return {
        "held": Count("pk", distinct=True),
        # The join on applications repeats each activity once per application:
        # held counts distinct activities, the sums count each application once.
        "applicants": Sum("applications__party_size", filter=seats),
        "attendees": Sum("applications__party_size", filter=attended),
    }


def _entered_sums():
    return {
        "held": Sum("activities_held"),
        "applicants": Sum("applicants"),
        "attendees": Sum("attendees"),
    }


def plan_progress(plan, now=None):
    """The figures of every measure of `plan` in every fiscal year, as a PlanProgress.

    The years are the plan's period plus any year outside it that has figures.
    """
    from cms.activities.models import ActivityPage

    now = now or timezone.now()
    tagged = ActivityPage.objects.live().filter(plan_measures__policy__plan=plan)
    held = tagged.held(now)
    # Not started yet: what the year still has to come.
    scheduled = tagged.exclude(pk__in=ActivityPage.objects.held(now).values("pk"))
    cells = {}
    totals = {}

    def cell(key, table):
        return table.setdefault(key, Cell())

    # order_by() clears the page-tree ordering, which would otherwise join
    # the GROUP BY and split every count by page.
    for row in (
        held.order_by()
        .with_fiscal_year()
        .values("plan_measures", "fiscal_year")
        .annotate(**_people())
    ):
        cell((row["plan_measures"], row["fiscal_year"]), cells).site.add(
            row["held"], row["applicants"], row["attendees"]
        )
    # Without the join on measures, which would repeat an activity serving two.
    for row in (
        ActivityPage.objects.filter(pk__in=held.values("pk"))
        .order_by()
        .with_fiscal_year()
        .values("fiscal_year")
        .annotate(**_people())
    ):
        cell(row["fiscal_year"], totals).site.add(row["held"], row["applicants"], row["attendees"])

    for row in (
        scheduled.order_by()
        .with_fiscal_year()
        .values("plan_measures", "fiscal_year")
        .annotate(n=Count("pk", distinct=True))
    ):
        cell((row["plan_measures"], row["fiscal_year"]), cells).scheduled = row["n"]
    for row in (
        ActivityPage.objects.filter(pk__in=scheduled.values("pk"))
        .order_by()
        .with_fiscal_year()
        .values("fiscal_year")
        .annotate(n=Count("pk"))
    ):
        cell(row["fiscal_year"], totals).scheduled = row["n"]

    records = ParticipationRecord.objects.filter(measures__policy__plan=plan)
    for row in records.order_by().values("measures", "fiscal_year").annotate(**_entered_sums()):
        cell((row["measures"], row["fiscal_year"]), cells).entered.add(
            row["held"], row["applicants"], row["attendees"]
        )
    for row in (
        ParticipationRecord.objects.filter(pk__in=records.values("pk"))
        .order_by()
        .values("fiscal_year")
        .annotate(**_entered_sums())
    ):
        cell(row["fiscal_year"], totals).entered.add(
            row["held"], row["applicants"], row["attendees"]
        )

    years = sorted(set(plan.fiscal_years) | set(totals))
    measures = Measure.objects.filter(policy__plan=plan).select_related("policy")
    rows = [
        MeasureRow(measure, [cells.get((measure.pk, year)) or Cell() for year in years])
        for measure in measures
    ]
    return PlanProgress(
        plan=plan,
        years=years,
        current_fiscal_year=wareki.fiscal_year_of(now),
        rows=rows,
        totals=totals,
    )


def activities_in(plan, fiscal_year, now=None):
    """{measure_id: [ActivityPage]} of `fiscal_year`, held and scheduled alike.

    Each page has `is_held`: False for one still to come.
    """
    from cms.activities.models import ActivityPage

    now = now or timezone.now()
    chosen = (
        ActivityPage.objects.live()
        .filter(plan_measures__policy__plan=plan)
        .in_fiscal_year(fiscal_year)
        .annotate(
            measure_id=F("plan_measures"),
            is_held=Exists(ActivityPage.objects.held(now).filter(pk=OuterRef("pk"))),
        )
        .order_by("start_date", "start_time", "pk")
    )
    activities = {}
    for page in chosen:
        activities.setdefault(page.measure_id, []).append(page)
    return activities


def records_in(plan, fiscal_year=None):
    """The figures the office entered for `plan` (in `fiscal_year`), with their measures."""
    records = ParticipationRecord.objects.filter(
        pk__in=ParticipationRecord.objects.filter(measures__policy__plan=plan).values("pk")
    )
    if fiscal_year is not None:
        records = records.filter(fiscal_year=fiscal_year)
    return list(
        records.order_by("fiscal_year", "description", "pk").prefetch_related("measures__policy")
    )
