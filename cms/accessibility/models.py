"""Web accessibility (ウェブアクセシビリティ): the policy, the test runs and their report.

The city publishes its accessibility policy and the results of testing the
site against JIS X 8341-3:2016, in the report format of the standard's annex
JB. Test runs come from the automated browser tests and are imported with
`manage.py import_accessibility_results`; editors do not type them in.
"""

from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField

from cms.core.models import BasePage
from search.index import JapaneseSearchField

from .criteria import LEVELS, STANDARD
from .results import assess, parse

LEVEL_CHOICES = [(level, level) for level in LEVELS]


class AccessibilityTestRunQuerySet(models.QuerySet):
    def latest_run(self):
        """The run tested last (not the one imported last), or None."""
        return self.order_by("-tested_at", "-pk").first()


class AccessibilityTestRun(models.Model):
    """One automated run of the accessibility tests over the site's page types."""

    tested_at = models.DateTimeField(_("tested at"), db_index=True)
    tool_name = models.CharField(_("test tool"), max_length=100)
    tool_version = models.CharField(_("tool version"), max_length=50)
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    standard = models.CharField(_("standard"), max_length=50, default=STANDARD)
    target_level = models.CharField(
        _("target conformance level"), max_length=3, choices=LEVEL_CHOICES
    )
    results = models.JSONField(_("results"), help_text=_("The results file as imported."))
    # The same file imported twice is one run: the demo loader imports the
    # latest results on every run and must change nothing the second time.
    checksum = models.CharField(_("checksum"), max_length=64, unique=True, editable=False)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    objects = AccessibilityTestRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("accessibility test run")
        verbose_name_plural = _("accessibility test runs")
        ordering = ["-tested_at", "-pk"]

    def __str__(self):
        return f"{self.tested_at_local()} {self.tool_name} {self.tool_version}"

    def tested_at_local(self):
        # Wagtail's inspect view shows datetimes as stored (UTC); editors read Japan time.
        return timezone.localtime(self.tested_at).strftime("%Y-%m-%d %H:%M")

    tested_at_local.short_description = _("tested at")

    def imported_at_local(self):
        return timezone.localtime(self.imported_at).strftime("%Y-%m-%d %H:%M")

    imported_at_local.short_description = _("imported at")

    @cached_property
    def assessment(self):
        """What the run shows, per page and per success criterion."""
        return assess(parse(self.results))

    @property
    def tool(self):
        return f"{self.tool_name} {self.tool_version}".strip()

    def page_count(self):
        return len(self.assessment.pages)

    page_count.short_description = _("pages")

    def violation_count(self):
        return self.assessment.violation_count

    violation_count.short_description = _("violations")

    def failing_page_count(self):
        return len(self.assessment.failing_pages)

    failing_page_count.short_description = _("pages with violations")


class AccessibilityPolicyPage(BasePage):
    """The accessibility policy (ウェブアクセシビリティ方針)."""

    introduction = RichTextField(
        _("policy"), blank=True, help_text=_("What the city aims for and why.")
    )
    target_level = models.CharField(
        _("target conformance level"), max_length=3, choices=LEVEL_CHOICES, default="AA"
    )
    target_date = models.DateField(
        _("target date"),
        null=True,
        blank=True,
        help_text=_("When the site is to meet the target level. Leave empty if there is none."),
    )
    body = RichTextField(
        _("body"),
        blank=True,
        help_text=_("Scope, exceptions and how to contact the city about accessibility."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("target_level"), FieldPanel("target_date")])],
            heading=_("Target"),
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("introduction"),
        JapaneseSearchField("body"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["accessibility.AccessibilityReportPage"]

    standard = STANDARD

    class Meta:
        verbose_name = _("accessibility policy")
        verbose_name_plural = _("accessibility policies")

    def report_pages(self):
        return AccessibilityReportPage.objects.child_of(self).live().public()


class AccessibilityReportPage(BasePage):
    """The test results (試験結果) in the format of JIS X 8341-3:2016 annex JB."""

    introduction = RichTextField(_("introduction"), blank=True)
    test_run = models.ForeignKey(
        AccessibilityTestRun,
        verbose_name=_("test run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to show the latest run."),
    )
    scope = models.TextField(
        _("scope of the test"),
        blank=True,
        help_text=_("Which pages were tested and how they were chosen."),
    )
    technologies = models.CharField(
        _("web content technologies relied upon"),
        max_length=200,
        default="HTML, CSS",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("test_run"),
        FieldPanel("scope"),
        FieldPanel("technologies"),
    ]
    search_fields = BasePage.search_fields + [JapaneseSearchField("introduction")]

    parent_page_types = ["accessibility.AccessibilityPolicyPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("accessibility test results")
        verbose_name_plural = _("accessibility test results")

    def get_test_run(self):
        """The chosen run, else the latest one, else None."""
        if self.test_run_id:
            return self.test_run
        return AccessibilityTestRun.objects.latest_run()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        run = self.get_test_run()
        context["test_run"] = run
        context["assessment"] = run.assessment if run else None
        return context
