from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Action, BasicPlan, BasicPolicy, Measure, ParticipationRecord


class BasicPlanViewSet(SnippetViewSet):
    model = BasicPlan
    icon = "list-ol"
    list_display = ["name", "start_fiscal_year", "end_fiscal_year"]


class BasicPolicyViewSet(SnippetViewSet):
    model = BasicPolicy
    icon = "list-ul"
    list_display = ["__str__", "plan"]
    list_filter = ["plan"]


class MeasureViewSet(SnippetViewSet):
    model = Measure
    icon = "list-ul"
    list_display = [
        TitleColumn("code", label=_("Code"), url_name="wagtailsnippets_plan_measure:edit"),
        "title",
        "policy",
    ]
    list_filter = ["policy__plan", "policy"]

    def get_queryset(self, request):
        return Measure.objects.select_related("policy__plan")


class ActionViewSet(SnippetViewSet):
    model = Action
    icon = "list-ul"
    list_display = [
        TitleColumn("code", label=_("Code"), url_name="wagtailsnippets_plan_action:edit"),
        "title",
        Column("restatement_note", label=_("Restates (再掲)")),
    ]
    list_filter = ["measure__policy__plan", "measure"]

    def get_queryset(self, request):
        return Action.objects.select_related("measure__policy").prefetch_related(
            "restates__measure__policy"
        )


class ParticipationRecordViewSet(SnippetViewSet):
    """Figures for events run without the site; the plan page adds them to its own."""

    model = ParticipationRecord
    icon = "group"
    menu_label = _("Entered participation figures")
    list_display = [
        TitleColumn(
            "description",
            label=_("Event or programme"),
            url_name="wagtailsnippets_plan_participationrecord:edit",
        ),
        "fiscal_year_label",
        "measure_codes",
        "activities_held",
        "applicants",
        "attendees",
    ]
    list_filter = ["fiscal_year", "measures__policy__plan"]
    list_export = [
        "fiscal_year",
        "description",
        "measure_codes",
        "activities_held",
        "applicants",
        "attendees",
        "note",
    ]
    export_filename = "participation-records"
    search_fields = ["description", "note"]

    def get_queryset(self, request):
        return ParticipationRecord.objects.prefetch_related("measures__policy")


class PlanGroup(SnippetViewSetGroup):
    menu_label = _("Basic plan")
    menu_icon = "list-ol"
    menu_order = 290
    items = (
        BasicPlanViewSet,
        BasicPolicyViewSet,
        MeasureViewSet,
        ActionViewSet,
        ParticipationRecordViewSet,
    )


register_snippet(PlanGroup)
