"""The coordinators' admin: マッチング候補, residents' profiles, skills."""

from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.core.permissions import DeniedActionsPermissionPolicy

from .admin_views import AuditedViews, ResidentDataBulkActionMixin, resident_data_delete_bulk_action
from .filters import SuggestionFilterSet
from .forms import SuggestionForm
from .models import PersonalDataAccess, ResidentProfile, Skill, Suggestion
from .permissions import ResidentDataPermissionPolicy, is_coordinator
from .privacy import log_access

# Models whose admin views show residents' names, contacts or messages.
RESIDENT_DATA_MODELS = (ResidentProfile, Suggestion)


class ContactColumn(Column):
    """A resident's contact detail, shown to coordinators only."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if not (request and is_coordinator(request.user)):
            context["value"] = "—"
        return context


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "tag"
    list_display = ["name", "slug", "aliases"]


register_permission_policy(ResidentProfile, ResidentDataPermissionPolicy(ResidentProfile))


class ResidentProfileViewSet(AuditedViews, SnippetViewSet):
    model = ResidentProfile
    icon = "user"
    list_display = [
        "name",
        ContactColumn("email", label=_("e-mail")),
        ContactColumn("phone", label=_("phone")),
        "home_area",
        "consent",
        "email_confirmed_at",
        "created_at",
    ]
    list_filter = ["home_area", "consent", "email_confirmed_at"]
    inspect_view_enabled = True
    # Contact details appear in the listing, to coordinators only.
    inspect_view_fields_exclude = ["email", "phone"]
    copy_view_enabled = False


# Suggestions come from the engine or from residents, not from an empty form.
register_permission_policy(Suggestion, ResidentDataPermissionPolicy(Suggestion, denied=("add",)))


class SuggestionViewSet(AuditedViews, SnippetViewSet):
    model = Suggestion
    icon = "link"
    menu_label = _("Suggested matches")
    list_display = [
        "profile",
        Column("target", label=_("opportunity or group")),
        Column("score_display", label=_("score"), sort_key="score"),
        "status",
        "source",
        Column("reasons_text", label=_("reasons")),
        "created_at",
    ]
    filterset_class = SuggestionFilterSet
    inspect_view_enabled = True
    inspect_view_fields = [
        "profile",
        "target",
        "source",
        "score_display",
        "reasons_text",
        "message",
        "status",
        "notes",
        "history",
    ]
    copy_view_enabled = False
    list_export = [
        "profile.name",
        "target.title",
        "score",
        "get_status_display",
        "reasons_text",
        "notes",
        "created_at",
    ]
    export_headings = {
        "profile.name": _("resident"),
        "target.title": _("opportunity or group"),
        "get_status_display": _("status"),
        "reasons_text": _("reasons"),
    }
    export_filename = "suggested-matches"
    # What the resident wrote, beside the status the coordinator sets.
    panels = [
        FieldPanel("source", read_only=True),
        FieldPanel("message", read_only=True),
        FieldPanel("status"),
        FieldPanel("note"),
    ]

    def get_form_class(self, for_update=False):
        return SuggestionForm

    def get_queryset(self, request):
        return Suggestion.objects.select_related("profile", "opportunity", "group")


# The access log is evidence: nobody adds, edits or deletes lines in the admin.
register_permission_policy(
    PersonalDataAccess,
    DeniedActionsPermissionPolicy(PersonalDataAccess, denied=("add", "change", "delete")),
)


class PersonalDataAccessViewSet(SnippetViewSet):
    model = PersonalDataAccess
    icon = "history"
    menu_label = _("Personal data access log")
    list_display = ["at", "username", "action", "record_type", "record_ids", "detail"]
    list_filter = ["action", "record_type"]
    inspect_view_enabled = True
    copy_view_enabled = False
    list_export = ["at", "username", "action", "record_type", "record_ids", "detail"]
    export_filename = "personal-data-access-log"


@hooks.register("before_delete_snippet")  # after deletion the ids are gone
def log_deleted_personal_data(request, instances):
    if request.method != "POST":  # the confirmation page
        return
    if instances and isinstance(instances[0], ResidentProfile | Suggestion):
        model = type(instances[0])
        log_access(
            PersonalDataAccess.Action.DELETED,
            model._meta.verbose_name,
            instances,
            user=request.user,
        )


class MatchingGroup(SnippetViewSetGroup):
    menu_label = _("Matching")
    menu_icon = "link"
    menu_order = 250
    items = (SuggestionViewSet, ResidentProfileViewSet, SkillViewSet, PersonalDataAccessViewSet)


register_snippet(MatchingGroup)


class StatusBulkAction(ResidentDataBulkActionMixin, SnippetBulkAction):
    """Move the chosen suggestions to one status, each change on the record."""

    template_name = "matching/bulk_status.html"
    to_status = None

    @classproperty
    def models(cls):
        return [Suggestion]

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", obj
        )

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        from .services import change_status

        for suggestion in objects:
            change_status(suggestion, cls.to_status, user=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return _("%(count)s suggestions are now “%(status)s”.") % {
            "count": num_parent_objects,
            "status": Suggestion.Status(self.to_status).label,
        }


def _status_action(status, priority):
    label = Suggestion.Status(status).label
    return type(
        f"{status.title()}BulkAction",
        (StatusBulkAction,),
        {
            "display_name": label,
            "action_type": f"suggestion-{status}",
            "aria_label": label,
            "action_priority": priority,
            "to_status": status,
        },
    )


for _priority, _status in enumerate(["contacted", "accepted", "declined", "withdrawn"]):
    hooks.register("register_bulk_action", _status_action(_status, 40 + _priority))


# Wagtail's own bulk delete lists every chosen record, even those the user may
# not delete: for residents' data it opens to those who may view them only
# (order=1: registered after wagtail.snippets', so it takes its place).
hooks.register(
    "register_bulk_action", resident_data_delete_bulk_action(list(RESIDENT_DATA_MODELS)), order=1
)
