"""Admin views that show residents' data and write the personal-data access
log (matching/privacy.py) each time they do: listings and exports, inspect,
edit and create, the delete confirmation, history, usage, the chooser and
the bulk actions' confirmation pages. Who may open them is decided by
`ResidentDataPermissionPolicy` (permissions.py). Deleting (one or in bulk)
is logged by the before_delete_snippet hook in wagtail_hooks.py."""

from django.core.exceptions import PermissionDenied
from django.http import QueryDict

from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser, snippets

from .models import PersonalDataAccess
from .privacy import log_access

Action = PersonalDataAccess.Action

# Free text a user typed may be a resident's name: the log keeps only that
# there was a search, never its words.
FREE_TEXT_PARAMETERS = ("q",)


def _query_detail(view_name, query):
    """`view_name` and the request's filters, search words left out."""
    safe = QueryDict(mutable=True)
    for key, values in query.lists():
        if key in FREE_TEXT_PARAMETERS:
            values = ["…"] if any(value.strip() for value in values) else []
        if values:
            safe.setlist(key, values)
    encoded = safe.urlencode(safe="…")
    return f"{view_name} {encoded}".strip()


def _log(request, model, action, records, view_name):
    log_access(
        action,
        model._meta.verbose_name,
        records,
        user=request.user,
        detail=_query_detail(view_name, request.GET),
    )


def _shown(response):
    return response.status_code == 200


class LoggedIndexView(snippets.IndexView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if _shown(response):
            if self.is_export:
                ids = list(self.object_list.values_list("pk", flat=True))
                _log(request, self.model, Action.EXPORTED, ids, f"export {request.GET['export']}")
            else:
                rows = getattr(response, "context_data", {}).get("object_list") or ()
                _log(request, self.model, Action.LISTED, list(rows), "listing")
        return response


class LoggedObjectViewMixin:
    """One access-log line for each time the record's page is shown."""

    log_view_name = ""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if _shown(response):
            _log(request, self.model, Action.VIEWED, [self.object], self.log_view_name)
        return response


class LoggedInspectView(LoggedObjectViewMixin, snippets.InspectView):
    log_view_name = "inspect"


class LoggedEditView(LoggedObjectViewMixin, snippets.EditView):
    log_view_name = "edit"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        _log(request, self.model, Action.EDITED, [self.object], "edit")
        return response


class LoggedCreateView(snippets.CreateView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if getattr(self, "object", None) is not None and self.object.pk:
            _log(request, self.model, Action.EDITED, [self.object], "create")
        return response


class LoggedDeleteView(LoggedObjectViewMixin, snippets.DeleteView):
    log_view_name = "delete"


class LoggedHistoryView(LoggedObjectViewMixin, snippets.HistoryView):
    log_view_name = "history"


class LoggedUsageView(LoggedObjectViewMixin, snippets.UsageView):
    log_view_name = "usage"


class ResidentDataChooserMixin(PermissionCheckedMixin):
    """The chooser of a model with residents' data: for those who may view it."""

    permission_required = "view"


class ResidentDataChooseView(ResidentDataChooserMixin, chooser.ChooseView):
    def get(self, request):
        response = super().get(request)
        if _shown(response):
            _log(request, self.model_class, Action.LISTED, list(self.results), "chooser")
        return response


class ResidentDataChooseResultsView(ResidentDataChooserMixin, chooser.ChooseResultsView):
    def get(self, request):
        response = super().get(request)
        if _shown(response):
            _log(request, self.model_class, Action.LISTED, list(self.results), "chooser")
        return response


class ResidentDataChosenView(ResidentDataChooserMixin, chooser.SnippetChosenView):
    def get(self, request, pk):
        response = super().get(request, pk)
        if _shown(response):
            _log(request, self.model_class, Action.VIEWED, [pk], "chooser")
        return response


class ResidentDataChosenMultipleView(ResidentDataChooserMixin, chooser.SnippetChosenMultipleView):
    def get(self, request):
        response = super().get(request)
        if _shown(response):
            ids = request.GET.getlist("id")
            _log(request, self.model_class, Action.VIEWED, ids, "chooser")
        return response


class ResidentDataCreateView(ResidentDataChooserMixin, chooser.SnippetCreateView):
    permission_required = "add"


class ResidentDataChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ResidentDataChooseView
    choose_results_view_class = ResidentDataChooseResultsView
    chosen_view_class = ResidentDataChosenView
    chosen_multiple_view_class = ResidentDataChosenMultipleView
    create_view_class = ResidentDataCreateView


class AuditedViews:
    """For a SnippetViewSet holding residents' data."""

    # Wagtail's usage views list every record that points at a page or a
    # snippet, by its title: a group's usage page would list the residents
    # suggested to it, an area's those who live there, past the access log.
    add_to_reference_index = False

    index_view_class = LoggedIndexView
    add_view_class = LoggedCreateView
    inspect_view_class = LoggedInspectView
    edit_view_class = LoggedEditView
    delete_view_class = LoggedDeleteView
    history_view_class = LoggedHistoryView
    usage_view_class = LoggedUsageView
    chooser_viewset_class = ResidentDataChooserViewSet


class ResidentDataBulkActionMixin:
    """A bulk action on residents' data: the confirmation page lists the
    records, so it opens only for those who may view them, and is logged."""

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(self.model)
        if not policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if _shown(response):
            objects, no_access = self.get_actionable_objects()
            records = list(objects) + list(no_access["items_with_no_access"])
            _log(request, self.model, Action.LISTED, records, f"bulk {self.action_type}")
        return response


def resident_data_delete_bulk_action(models):
    """Wagtail's bulk delete for snippets, guarded and logged for `models`."""
    return type(
        "ResidentDataDeleteBulkAction",
        (ResidentDataBulkActionMixin, DeleteBulkAction),
        {"models": models, "__module__": __name__},
    )
