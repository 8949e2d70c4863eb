"""Admin views that write the personal-data access log (matching/privacy.py):
coordinators listing, opening, editing or exporting residents' profiles and
suggestions. Deleting them (one or in bulk) is logged by the
before_delete_snippet hook in wagtail_hooks.py."""

from wagtail.snippets.views.snippets import EditView, IndexView, InspectView

from .models import PersonalDataAccess
from .privacy import log_access

Action = PersonalDataAccess.Action


def _log(view, action, records, detail=""):
    log_access(
        action, view.model._meta.verbose_name, records, user=view.request.user, detail=detail
    )


class LoggedIndexView(IndexView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            query = request.GET.urlencode()
            if self.is_export:
                _log(self, Action.EXPORTED, (), detail=query)
            else:
                rows = getattr(response, "context_data", {}).get("object_list") or ()
                _log(self, Action.LISTED, list(rows), detail=query)
        return response


class LoggedInspectView(InspectView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            _log(self, Action.VIEWED, [self.object])
        return response


class LoggedEditView(EditView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            _log(self, Action.VIEWED, [self.object])
        return response

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        _log(self, Action.EDITED, [self.object])
        return response


class AuditedViews:
    """For a SnippetViewSet holding residents' data."""

    index_view_class = LoggedIndexView
    inspect_view_class = LoggedInspectView
    edit_view_class = LoggedEditView
