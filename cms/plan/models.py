"""The city's 市民活動促進基本計画 as data.

A plan has basic policies (基本施策), each with measures (施策 1-1 …) and
actions (取組み ①…). Activities are tagged with the measures they serve so
that the plan page can show, per fiscal year, what was done for each measure:
the yearly progress review the plan itself asks for.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import CheckboxSelectMultiple
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.core import wareki
from cms.core.models import BasePage
from search.index import JapaneseAutocompleteField, JapaneseSearchField


def circled_number(number):
    """① for 1 … ⑳ for 20, the way the plan numbers its actions."""
    if 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    return f"({number})"


class BasicPlan(index.Indexed, models.Model):
    name = models.CharField(pgettext_lazy("civic", "name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    start_fiscal_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    end_fiscal_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    goal = models.TextField(_("goal (the society the plan aims for)"), blank=True)
    published = models.CharField(_("publication note"), max_length=200, blank=True)

    search_fields = [
        JapaneseSearchField("name"),
        JapaneseSearchField("goal"),
        JapaneseAutocompleteField("name"),
    ]

    class Meta:
        verbose_name = _("basic plan")
        verbose_name_plural = _("basic plans")
        ordering = ["-start_fiscal_year"]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.start_fiscal_year
            and self.end_fiscal_year
            and self.end_fiscal_year < self.start_fiscal_year
        ):
            raise ValidationError(
                {"end_fiscal_year": _("The last fiscal year cannot precede the first.")}
            )

    @property
    def fiscal_years(self):
        return list(range(self.start_fiscal_year, self.end_fiscal_year + 1))

    @property
    def period_label(self):
        first = wareki.format_fiscal_year(self.start_fiscal_year)
        last = wareki.format_fiscal_year(self.end_fiscal_year)
        return f"{first}～{last}"


class BasicPolicy(models.Model):
    """基本施策: one of the plan's four pillars."""

    plan = models.ForeignKey(
        BasicPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="policies"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("basic policy")
        verbose_name_plural = _("basic policies")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_policy_number")
        ]

    def __str__(self):
        return f"基本施策{self.number} {self.title}"


class Measure(index.Indexed, models.Model):
    """施策, e.g. 1-1 市民活動に触れる機会の充実."""

    policy = models.ForeignKey(
        BasicPolicy,
        verbose_name=_("basic policy"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    number = models.PositiveSmallIntegerField(_("number within the policy"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(pgettext_lazy("civic", "description"), blank=True)

    search_fields = [
        JapaneseSearchField("title"),
        JapaneseSearchField("description"),
        JapaneseAutocompleteField("title"),
    ]

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["policy__plan", "policy__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="unique_measure_number")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def code(self):
        return f"{self.policy.number}-{self.number}"

    def code_and_title(self):
        """1-1 市民活動に触れる機会の充実, as the activities serving it show it."""
        return f"{self.code} {self.title}"


class Action(models.Model):
    """取組み ①…; an action restated under another measure is a 再掲."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="actions"
    )
    number = models.PositiveSmallIntegerField(_("number within the measure"))
    title = models.CharField(_("title"), max_length=200)
    restates = models.ManyToManyField(
        "self",
        verbose_name=_("restates (再掲)"),
        symmetrical=False,
        blank=True,
        related_name="restated_in",
        help_text=_("The actions of other measures this one repeats, as the plan marks 再掲."),
    )

    panels = [
        FieldPanel("measure"),
        FieldPanel("number"),
        FieldPanel("title"),
        FieldPanel("restates"),
    ]

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["measure__policy__number", "measure__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "number"], name="unique_action_number")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def code(self):
        return f"{self.measure.code}{circled_number(self.number)}"

    @property
    def restatement_note(self):
        """The plan's own notation, e.g. [2-1③、3-1①再掲]."""
        codes = [action.code for action in self.restates.all()]
        return f"[{'、'.join(codes)}再掲]" if codes else ""


class ParticipationRecord(models.Model):
    """Figures the office enters for an event run without this site.

    A lecture taken by phone, a stall at a festival, a course run by a
    partner: their counts add to the plan page's numbers, which say which
    figures were entered rather than counted from the site's applications.
    Like an activity, one record may serve several measures and is counted
    once in a year's total.
    """

    description = models.CharField(
        _("event or programme (事業名)"),
        max_length=200,
        help_text=_("Shown on the plan page and in its downloads."),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"),
        validators=[MinValueValidator(1989), MaxValueValidator(2100)],
        help_text=_("The Western year in which the fiscal year begins: 2025 for 令和7年度."),
    )
    measures = models.ManyToManyField(
        Measure,
        verbose_name=_("plan measures served"),
        related_name="participation_records",
    )
    activities_held = models.PositiveIntegerField(
        _("times held"),
        default=1,
        help_text=_("How many times the event took place in that fiscal year."),
    )
    applicants = models.PositiveIntegerField(
        _("applicants (people)"),
        default=0,
        help_text=_("Leave 0 when the event took no applications."),
    )
    attendees = models.PositiveIntegerField(_("attendees (people)"), default=0)
    note = models.TextField(
        _("note"),
        blank=True,
        max_length=1000,
        help_text=_("Shown on the plan page. Write no personal data."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("description"),
        FieldPanel("fiscal_year"),
        FieldPanel("measures", widget=CheckboxSelectMultiple),
        FieldRowPanel(
            [FieldPanel("activities_held"), FieldPanel("applicants"), FieldPanel("attendees")]
        ),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("participation figures entered by the office")
        verbose_name_plural = _("participation figures entered by the office")
        ordering = ["-fiscal_year", "description", "pk"]

    def __str__(self):
        return f"{wareki.format_fiscal_year(self.fiscal_year)} {self.description}"

    def fiscal_year_label(self):
        return wareki.format_fiscal_year(self.fiscal_year)

    fiscal_year_label.short_description = _("fiscal year")

    def measure_codes(self):
        return "、".join(measure.code for measure in self.measures.all())

    measure_codes.short_description = _("measures")


class PlanPage(RoutablePageMixin, BasePage):
    """Shows a plan and, per fiscal year, the activities that served each measure."""

    plan = models.ForeignKey(
        BasicPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+"
    )
    introduction = RichTextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("plan"),
        FieldPanel("introduction"),
    ]

    search_fields = BasePage.search_fields + [
        JapaneseSearchField("introduction"),
        JapaneseSearchField("plan_text"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["core.StandardPage"]

    class Meta:
        verbose_name = _("basic plan page")
        verbose_name_plural = _("basic plan pages")

    def plan_text(self):
        """The plan's policies, measures and actions, for search."""
        lines = [self.plan.name, self.plan.goal]
        for measure in Measure.objects.filter(policy__plan=self.plan).select_related("policy"):
            lines += [measure.policy.title, f"{measure.code} {measure.title}", measure.description]
        lines += [a.title for a in Action.objects.filter(measure__policy__plan=self.plan)]
        return "\n".join(line for line in lines if line)

    def progress(self, now=None):
        """Figures per measure and fiscal year (cms.plan.progress.PlanProgress)."""
        # Activities depend on the plan, not the other way round: the module
        # looks them up at call time so the apps stay importable on their own.
        from .progress import plan_progress

        return plan_progress(self.plan, now)

    def get_context(self, request, *args, **kwargs):
        from .progress import activities_in, records_in

        context = super().get_context(request, *args, **kwargs)
        policies = self.plan.policies.prefetch_related(
            "measures__actions__restates__measure__policy"
        ).all()
        progress = self.progress()
        fiscal_year = progress.current_fiscal_year
        raw_year = request.GET.get("fy", "")
        if raw_year:
            # ASCII digits only: str.isdigit() accepts ² and int() rejects it.
            if re.fullmatch(r"[0-9]{4}", raw_year) and 1989 <= int(raw_year) <= 2100:
                fiscal_year = int(raw_year)
            else:
                context["fiscal_year_error"] = True
        context.update(
            policies=policies,
            progress=progress,
            selected_fiscal_year=fiscal_year,
            year_rows=progress.year_rows(fiscal_year),
            year_total=progress.total(fiscal_year),
            activities=activities_in(self.plan, fiscal_year),
            records=records_in(self.plan, fiscal_year),
            csv_url=self.url and self.url + self.reverse_subpage("progress_csv"),
            xlsx_url=self.url and self.url + self.reverse_subpage("progress_xlsx"),
        )
        return context

    def _export_name(self, extension):
        return f"plan-progress-{self.slug}.{extension}"

    # Wagtail's page paths have no dots (cms/urls.py hands only .ics files
    # to it), so the downloads are directories, named by the header.
    @path("progress/csv/", name="progress_csv")
    def progress_csv(self, request):
        from .exports import csv_response

        return csv_response(self.progress(), self._export_name("csv"))

    @path("progress/xlsx/", name="progress_xlsx")
    def progress_xlsx(self, request):
        from .exports import xlsx_response
        from .progress import records_in

        return xlsx_response(self.progress(), records_in(self.plan), self._export_name("xlsx"))
