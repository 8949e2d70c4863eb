"""The office's side of applications in the Wagtail admin (参加申込).

Activities that take online applications, each one's applicants with
their status, attendance marked in bulk, a printable attendance sheet,
CSV/XLSX exports, applications taken by phone, cancelling on a resident's
behalf and e-mails to every applicant. Every view asks for
`applications.manage_applications` (`require_manager`); every view that
shows or changes applicants writes a line to the personal-data access log
(matching.privacy.log_access) naming records by id only.

Seats change only through cms/applications/booking.py.
"""

import csv
import functools
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from wagtail.admin import messages

from cms.activities.models import ActivityPage, ApplicationMode
from cms.infrastructure.exports import append_as_text, neutralise_cell
from cms.infrastructure.queue import send_on_commit
from matching.models import PersonalDataAccess
from matching.privacy import log_access

from . import booking, broadcast
from .forms import ActivityQuestionsMixin
from .models import ApplicantMessage, Application

Action = PersonalDataAccess.Action
Status = Application.Status

PERMISSION = "applications.manage_applications"
RECORD_TYPE = "application"
# What 「申込者全員にメール」 sends to unless the office chooses otherwise.
DEFAULT_MESSAGE_STATUSES = (Status.BOOKED, Status.WAITLISTED)
MESSAGE_STATUSES = (Status.BOOKED, Status.WAITLISTED, Status.ATTENDED, Status.ABSENT)
PAST_PER_PAGE = 50


def may_manage_applications(user):
    """Whether `user` may see and manage activities' applicants."""
    return bool(user and user.is_active and user.has_perm(PERMISSION))


def require_manager(view):
    """The view for users with applications.manage_applications only.

    Wagtail's admin URLs turn the PermissionDenied into its usual
    「このエリアへのアクセス権限がありません」 redirect.
    """

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not may_manage_applications(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _log(request, action, records, detail):
    log_access(action, RECORD_TYPE, records, user=request.user, detail=detail)


def with_applications():
    """Activities that take online applications, and those that took some
    before an editor switched them off: their applicants are still held."""
    held = Application.objects.values("activity")
    return ActivityPage.objects.filter(Q(application_mode=ApplicationMode.ONLINE) | Q(pk__in=held))


def _activity(activity_id):
    return get_object_or_404(with_applications().select_related("venue"), pk=activity_id)


def _status_filter(request):
    """The status chosen in the listing's filter, or None for every status."""
    status = request.GET.get("status", "")
    return status if status in Status.values else None


def _applicants(activity, status=None):
    applications = activity.applications.all()
    if status:
        applications = applications.filter(status=status)
    return applications.order_by("created_at", "pk")


def _summary(activity):
    """{status: {"applications": n, "people": n}} for every status."""
    rows = (
        activity.applications.order_by()
        .values("status")
        .annotate(applications=Count("pk"), people=Sum("party_size"))
    )
    counted = {row["status"]: row for row in rows}
    return [
        {
            "status": status,
            "label": label,
            "applications": counted.get(status, {}).get("applications", 0),
            "people": counted.get(status, {}).get("people", 0) or 0,
        }
        for status, label in Status.choices
    ]


@require_manager
def activity_index(request):
    """Activities with applications: upcoming first, then past ones (50 a page).

    Only counts are shown here, no applicant, so nothing is logged.
    """
    online = with_applications()
    now = timezone.now()
    upcoming = list(online.upcoming(now))
    past_page = Paginator(online.past(now), PAST_PER_PAGE).get_page(request.GET.get("page"))
    past = list(past_page)
    counts = {}
    rows = (
        Application.objects.filter(activity__in=[a.pk for a in upcoming + past])
        .order_by()
        .values("activity", "status")
        .annotate(people=Sum("party_size"))
    )
    for row in rows:
        counts.setdefault(row["activity"], {})[row["status"]] = row["people"] or 0

    def described(activity):
        by_status = counts.get(activity.pk, {})
        return {
            "activity": activity,
            "seats_taken": sum(by_status.get(s, 0) for s in Application.SEAT_HOLDING),
            "waitlisted": by_status.get(Status.WAITLISTED, 0),
            "attended": by_status.get(Status.ATTENDED, 0),
            "availability": booking.availability(
                activity,
                taken=sum(by_status.get(s, 0) for s in Application.SEAT_HOLDING),
                now=now,
            ),
        }

    return TemplateResponse(
        request,
        "applications/admin/activity_index.html",
        {
            "sections": [
                (
                    {
                        "key": "upcoming",
                        "title": _("Upcoming activities"),
                        "empty": _("No upcoming activity takes online applications."),
                    },
                    [described(a) for a in upcoming],
                ),
                (
                    {
                        "key": "past",
                        "title": _("Past activities"),
                        "empty": _("No past activity took online applications."),
                    },
                    [described(a) for a in past],
                ),
            ],
            "past_page": past_page,
        },
    )


@require_manager
def applicants(request, activity_id):
    """One activity's applicants, filtered by status, with the counts by status."""
    activity = _activity(activity_id)
    status = _status_filter(request)
    rows = list(_applicants(activity, status))
    _log(
        request,
        Action.LISTED,
        rows,
        f"applicants activity={activity.pk} status={status or 'all'}",
    )
    questions = [q.label for q in activity.application_questions.all()]
    return TemplateResponse(
        request,
        "applications/admin/applicants.html",
        {
            "activity": activity,
            "applications": rows,
            "status": status,
            "statuses": Status.choices,
            "summary": _summary(activity),
            "availability": booking.availability(activity),
            "questions": questions,
            "seat_holding": Application.SEAT_HOLDING,
        },
    )


@require_manager
@require_POST
def mark_attendance(request, activity_id):
    """「出席にする」/「欠席にする」 (or 「出欠の記録を取り消す」) on the chosen
    applications that hold seats, once the activity has started."""
    activity = _activity(activity_id)
    status = request.POST.get("status")
    back = _back_to_applicants(activity, request.POST.get("filter"))
    if status not in booking.ATTENDANCE_MARKS:
        messages.error(request, _("Choose whether the applicants attended or were absent."))
        return redirect(back)
    if not booking.has_started(activity):
        messages.error(request, _("Attendance can be recorded once the activity has started."))
        return redirect(back)
    chosen = activity.applications.filter(pk__in=_ids(request.POST.getlist("application")))
    if not chosen.exists():
        messages.error(request, _("Choose the applicants to mark first."))
        return redirect(back)
    changing = list(chosen.holding_seats().values_list("pk", flat=True))
    skipped = chosen.count() - len(changing)
    changed = booking.mark_attendance(chosen, status)
    _log(request, Action.EDITED, changing, f"attendance activity={activity.pk} status={status}")
    label = Status(status).label
    messages.success(
        request,
        ngettext(
            "%(count)s application was marked “%(status)s”.",
            "%(count)s applications were marked “%(status)s”.",
            changed,
        )
        % {"count": changed, "status": label},
    )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)s application was left as it was: it holds no seat "
                "(cancelled, on the waiting list or not confirmed).",
                "%(count)s applications were left as they were: they hold no seat "
                "(cancelled, on the waiting list or not confirmed).",
                skipped,
            )
            % {"count": skipped},
        )
    return redirect(back)


def _ids(values):
    return [int(value) for value in values if value.isdigit()]


def _back_to_applicants(activity, status=None):
    url = reverse("applications_applicants", args=[activity.pk])
    if status in Status.values:
        url += f"?status={status}"
    return url


@require_manager
def attendance_sheet(request, activity_id):
    """A sheet to print and tick at the door: those holding seats, in kana
    order, then the waiting list in its order."""
    activity = _activity(activity_id)
    rows = list(activity.applications.holding_seats().order_by("name_kana", "name", "pk"))
    # Those still waiting may come on the day when a seat frees up.
    waiting = list(activity.applications.waitlisted())
    _log(request, Action.VIEWED, rows + waiting, f"attendance sheet activity={activity.pk}")
    return TemplateResponse(
        request,
        "applications/admin/attendance_sheet.html",
        {
            "activity": activity,
            "applications": rows,
            "waiting": waiting,
            "people": sum(a.party_size for a in rows),
            "printed_at": timezone.localtime(),
        },
    )


# Exports ------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_COLUMNS = (
    ("number", gettext_lazy("Application number")),
    ("status", gettext_lazy("Status")),
    ("name", gettext_lazy("Name")),
    ("name_kana", gettext_lazy("Name in kana")),
    ("party_size", gettext_lazy("People")),
    ("phone", gettext_lazy("Phone")),
    ("email", gettext_lazy("E-mail")),
    ("channel", gettext_lazy("Applied through")),
    ("created_at", gettext_lazy("Applied at")),
    ("reply", gettext_lazy("Answer to the reminder")),
    ("note", gettext_lazy("Message to the organiser")),
)


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_table(activity, applications):
    """The export's header and rows: Japanese headings, JST times, one
    column per question (the activity's questions, then any others an
    application answered). Text is as written: `_csv` neutralises it."""
    questions = [q.label for q in activity.application_questions.all()]
    for application in applications:
        for item in application.answers or ():
            if item.get("question") and item["question"] not in questions:
                questions.append(item["question"])
    header = [str(label) for _key, label in EXPORT_COLUMNS] + questions
    rows = []
    for application in applications:
        answers = {
            item.get("question"): item.get("answer", "") for item in application.answers or ()
        }
        row = [
            application.pk,
            application.get_status_display(),
            application.name,
            application.name_kana,
            application.party_size,
            application.phone,
            application.email,
            application.get_channel_display(),
            _local(application.created_at),
            application.get_reply_display() if application.reply else "",
            application.note,
            *(answers.get(question, "") for question in questions),
        ]
        rows.append(row)
    return [str(cell) for cell in header], rows


def _csv(header, rows):
    buffer = io.StringIO()
    # The byte-order mark makes Excel on Japanese Windows read UTF-8, not Shift_JIS.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in [header, *rows]:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8"


def _xlsx(header, rows, title):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # A sheet title cannot hold []:*?/\ and is at most 31 characters.
    sheet = workbook.create_sheet(
        title="".join(c for c in title if c not in "[]:*?/\\")[:31] or "sheet"
    )
    for values in [header, *rows]:
        append_as_text(sheet, values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return (
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_manager
def export(request, activity_id, file_format):
    """The applicants (as filtered in the listing) as CSV or XLSX."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    activity = _activity(activity_id)
    status = _status_filter(request)
    applications = list(_applicants(activity, status))
    header, rows = export_table(activity, applications)
    if file_format == "xlsx":
        content, content_type = _xlsx(header, rows, activity.title)
    else:
        content, content_type = _csv(header, rows)
    _log(
        request,
        Action.EXPORTED,
        applications,
        f"export {file_format} activity={activity.pk} status={status or 'all'}",
    )
    response = HttpResponse(content, content_type=content_type)
    filename = f"applicants-{activity.pk}-{timezone.localdate():%Y%m%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Applications taken by the office -------------------------------------------------


class OfficeApplicationForm(ActivityQuestionsMixin, forms.Form):
    """A resident's application taken on the phone or at the counter."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    name_kana = forms.CharField(label=gettext_lazy("Name in kana"), max_length=100, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        help_text=gettext_lazy("For the office to call if the activity changes."),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy(
            "Optional. With an address the resident gets the e-mails of the "
            "application (accepted, reminder, a seat from the waiting list)."
        ),
    )
    party_size = forms.TypedChoiceField(label=gettext_lazy("People"), coerce=int)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, activity, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["party_size"].choices = [
            (n, str(n)) for n in range(1, activity.max_party_size + 1)
        ]
        self.add_questions(activity)
        # The note last, after the activity's questions.
        self.order_fields([*(f for f in self.fields if f != "note"), "note"])


@require_manager
def add_application(request, activity_id):
    """「電話で受け付けた申込を追加」: a seat, or the waiting list, at once."""
    activity = _activity(activity_id)
    form = OfficeApplicationForm(activity, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = booking.apply(
                activity, channel=Application.Channel.OFFICE, **form.details()
            )
        except booking.ApplicationRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            _log(
                request, Action.EDITED, [application], f"added by the office activity={activity.pk}"
            )
            if application.status == Status.BOOKED:
                text = _("Application #%(id)s was added: it holds a seat.")
            else:
                text = _("Application #%(id)s was added to the waiting list: every seat is taken.")
            messages.success(request, text % {"id": application.pk})
            return redirect("applications_applicants", activity.pk)
    return TemplateResponse(
        request,
        "applications/admin/add_application.html",
        {"activity": activity, "form": form, "availability": booking.availability(activity)},
    )


@require_manager
def cancel_application(request, activity_id, application_id):
    """Cancel on a resident's behalf, after a confirmation page; a freed
    seat goes to the waiting list (booking.cancel)."""
    activity = _activity(activity_id)
    application = get_object_or_404(activity.applications, pk=application_id)
    if request.method == "POST":
        if application.status == Status.CANCELLED:
            messages.warning(request, _("This application was already cancelled."))
            return redirect("applications_applicants", activity.pk)
        promoted = booking.cancel(application)
        _log(
            request,
            Action.EDITED,
            [application, *promoted],
            f"cancelled by the office activity={activity.pk} promoted={len(promoted)}",
        )
        messages.success(request, _("Application #%(id)s was cancelled.") % {"id": application.pk})
        if promoted:
            messages.success(
                request,
                ngettext(
                    "%(count)s application on the waiting list now holds a seat; "
                    "the resident is told by e-mail.",
                    "%(count)s applications on the waiting list now hold seats; "
                    "the residents are told by e-mail.",
                    len(promoted),
                )
                % {"count": len(promoted)},
            )
        return redirect("applications_applicants", activity.pk)
    _log(request, Action.VIEWED, [application], f"cancel confirmation activity={activity.pk}")
    return TemplateResponse(
        request,
        "applications/admin/cancel_application.html",
        {"activity": activity, "application": application},
    )


# E-mail to every applicant --------------------------------------------------


class ApplicantMessageForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Sent as plain text, as you write it; the activity's title, date and "
            "venue are added below it."
        ),
    )
    # Not to unconfirmed applications (an address anyone may have typed) nor
    # cancelled ones.
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Send to"),
        choices=[(s, Status(s).label) for s in MESSAGE_STATUSES],
        initial=list(DEFAULT_MESSAGE_STATUSES),
        widget=forms.CheckboxSelectMultiple,
    )


@require_manager
def message_applicants(request, activity_id):
    """「申込者全員にメール」: a form, a confirmation, then one e-mail per applicant
    (queued: cms.applications.tasks.send_applicant_message)."""
    activity = _activity(activity_id)
    form = ApplicantMessageForm(data=request.POST or None)
    earlier = list(activity.applicant_messages.select_related("sent_by"))
    for message in earlier:
        message.status_labels = [Status(s).label for s in message.statuses if s in Status.values]
    context = {"activity": activity, "form": form, "earlier": earlier}
    if request.method == "POST" and form.is_valid():
        statuses = form.cleaned_data["statuses"]
        recipients = broadcast.recipients(activity, statuses)
        count = len(recipients)
        if count == 0:
            form.add_error("statuses", _("No applicant of these statuses has an e-mail address."))
        elif "edit" in request.POST:
            pass  # back to the form, as filled in
        elif "send" not in request.POST:
            context.update({"confirming": True, "recipient_count": count})
            return TemplateResponse(request, "applications/admin/message_applicants.html", context)
        else:
            from . import tasks

            message = ApplicantMessage.objects.create(
                activity=activity,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                statuses=list(statuses),
                recipients=count,
                sent_by=request.user,
            )
            send_on_commit(tasks.send_applicant_message, message.pk)
            # The addresses are read to send; recorded like an export of them.
            _log(
                request,
                Action.EXPORTED,
                recipients,
                f"e-mailed message #{message.pk} activity={activity.pk}",
            )
            messages.success(
                request,
                ngettext(
                    "The message is being sent to %(count)s applicant.",
                    "The message is being sent to %(count)s applicants.",
                    count,
                )
                % {"count": count},
            )
            return redirect("applications_message", activity.pk)
    return TemplateResponse(request, "applications/admin/message_applicants.html", context)
