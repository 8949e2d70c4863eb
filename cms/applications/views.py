"""Residents' application pages: apply, confirm by e-mail, see or cancel.

Seats change only through cms/applications/booking.py. The confirm and
manage pages are opened from e-mailed links: a GET only shows buttons (mail
scanners open links), a POST acts. They show no name, address or phone, and
are never cached, since their URL is all that opens them.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cms.infrastructure.abuse import TOO_MANY_MESSAGE, too_many

from . import booking, links
from .booking import ApplicationRefused, State
from .forms import ApplicationForm
from .models import Application

Status = Application.Status
ANSWERS = (Application.Reply.COMING, Application.Reply.NOT_COMING)
# Still to come: what a resident can cancel.
CANCELLABLE = (Status.UNCONFIRMED, Status.BOOKED, Status.WAITLISTED)


def _activity(page_id):
    from cms.activities.models import ActivityPage

    pages = ActivityPage.objects.live().public().select_related("venue")
    return get_object_or_404(pages, pk=page_id)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, page_id):
    """The application form; a valid POST takes the application (booking.apply)
    and sends the confirmation e-mail."""
    activity = _activity(page_id)
    if not activity.takes_applications:
        raise Http404
    page = _page(activity)
    if request.method == "GET" and not page["availability"].accepts:
        # Closed, not open yet, or full without a waiting list: the page says which.
        return render(request, "applications/apply.html", page)
    form = ApplicationForm(request.POST or None, activity=activity)
    status = 200
    if request.method == "POST":
        if form.is_spam():
            return redirect("applications_sent", page_id=activity.pk)
        status = 400
        if form.is_valid():
            if too_many(request, "applications.apply", form.cleaned_data["email"]):
                form.add_error(None, TOO_MANY_MESSAGE)
                status = 429
            else:
                try:
                    booking.apply(activity, **form.details())
                except ApplicationRefused as refused:
                    form.add_error(None, refused.message)
                    status = 409
                else:
                    return redirect("applications_sent", page_id=activity.pk)
    if status == 409:
        # Refused because it changed meanwhile (closed, or the last seat went).
        page = _page(activity)
    return render(request, "applications/apply.html", {**page, "form": form}, status=status)


def _page(activity):
    availability = booking.availability(activity)
    return {
        "activity": activity,
        "availability": availability,
        "waitlist": availability.state == State.WAITLIST,
        "retention_days": settings.APPLICATION_RETENTION_DAYS,
        "confirm_hours": settings.APPLICATION_CONFIRM_HOURS,
    }


@never_cache
def sent(request, page_id):
    """「メールをご確認ください」: no personal data, the same for every applicant."""
    activity = _activity(page_id)
    context = {"activity": activity, "confirm_hours": settings.APPLICATION_CONFIRM_HOURS}
    return render(request, "applications/sent.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link in the confirmation e-mail: a button, then a seat or the waiting list."""
    link = links.find(links.Purpose.CONFIRM, token)
    if link is None or link.application.is_anonymised:
        return render(request, "applications/confirm.html", {"invalid": True}, status=400)
    application = link.application
    context = {"activity": application.activity, "application": application}
    if application.status != Status.UNCONFIRMED:
        # Confirmed already: the link shows where the application stands.
        return render(request, "applications/confirm.html", _result(application, context))
    if request.method == "GET":
        return render(request, "applications/confirm.html", context)
    try:
        booking.confirm(application)
    except ApplicationRefused as refused:
        context["refused"] = refused.message
        return render(request, "applications/confirm.html", context, status=409)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return render(request, "applications/confirm.html", _result(application, context))


def _result(application, context):
    context = {**context, "result": application.status}
    if application.status == Status.WAITLISTED:
        context["position"] = booking.waitlist_position(application)
    return context


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    """The applicant's own page: where the application stands, 「参加します」 and
    「参加できなくなりました（取り消す）」. ?answer= (from the reminder) only
    highlights the button that link meant."""
    link = links.find(links.Purpose.MANAGE, token)
    if link is None or link.application.is_anonymised:
        return render(request, "applications/manage.html", {"invalid": True}, status=400)
    application = link.application
    activity = application.activity
    done = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "coming" and _can_reply(application):
            booking.reply(application, coming=True)
            done = "coming"
        elif action == "cancel" and _can_cancel(application):
            if application.status == Status.BOOKED:
                booking.reply(application, coming=False)
            else:
                booking.cancel(application)
            done = "cancelled"
        else:
            # A second tab, or an activity that has started: nothing changes.
            status = 409
        application.refresh_from_db()
    answer = request.GET.get("answer")
    context = {
        "activity": activity,
        "application": application,
        "answer": answer if answer in ANSWERS else None,
        "can_reply": _can_reply(application),
        "can_cancel": _can_cancel(application),
        "done": done,
        "refused": status == 409,
    }
    if application.status == Status.WAITLISTED:
        context["position"] = booking.waitlist_position(application)
    return render(request, "applications/manage.html", context, status=status)


def _before_start(application):
    # Once the activity has started the office marks attendance instead.
    return timezone.now() < application.activity.starts_at


def _can_reply(application):
    return application.status == Status.BOOKED and _before_start(application)


def _can_cancel(application):
    return application.status in CANCELLABLE and _before_start(application)
