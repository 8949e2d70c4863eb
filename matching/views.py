"""Residents' pages (find, register, 参加してみたい) and the JSON ranking endpoint."""

import json

from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cms.infrastructure.abuse import TOO_MANY_MESSAGE, too_many
from cms.infrastructure.queue import send_on_commit

from . import residents, services, sources, tasks, tokens
from .forms import InterestForm, MatchingForm, RegistrationForm
from .models import AccessToken
from .ranking_io import result_json
from .validation import ProfileError, clean_profile

MAX_BODY_BYTES = 16_384
# Japanese stays readable in the response (UTF-8, not \uXXXX escapes).
READABLE = {"ensure_ascii": False}


@csrf_exempt  # no session, no state change: a pure function of the posted profile
@require_POST
def rank_api(request):
    """POST a profile {"skills", "interests", "slots", "area", "max_km"}; get ranked results.

    Query parameters: kind=opportunities|groups, limit=1..50. Errors and
    reasons come in the request's language (Accept-Language; Japanese unless
    it asks for another of the site's languages).
    """
    with translation.override(translation.get_language_from_request(request)):
        return _rank_api(request)


def _rank_api(request):
    if len(request.body) > MAX_BODY_BYTES:
        return _error(_("The profile is too large."), status=413)
    kind = request.GET.get("kind", "opportunities")
    if kind not in ("opportunities", "groups"):
        return _error(_("kind must be opportunities or groups."))
    try:
        limit = int(request.GET.get("limit", "10"))
    except ValueError:
        return _error(_("limit must be a whole number."))
    if not 1 <= limit <= 50:
        return _error(_("limit must be between 1 and 50."))
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (ValueError, RecursionError):
        # Besides bad UTF-8 and bad JSON (both ValueErrors): numbers of over
        # 4,300 digits (ValueError) and arrays nested thousands deep.
        return _error(_("The body must be a JSON object."))
    if not isinstance(data, dict):
        return _error(_("The body must be a JSON object."))
    try:
        profile = clean_profile(data, sources.vocabulary())
    except ProfileError as error:
        # Every error, each with its field, and all of them in one line for people.
        errors = [e.as_json() for e in error.errors]
        return _error(str(error).replace("\n", " "), errors=errors)
    results = services.rank(profile.record(), limit=limit, kind=kind)
    payload = {"kind": kind, "results": [result_json(r) for r in results]}
    return JsonResponse(payload, json_dumps_params=READABLE)


def _error(message, status=400, errors=None):
    payload = {"error": message}
    if errors is not None:
        payload["errors"] = errors
    return JsonResponse(payload, status=status, json_dumps_params=READABLE)


# -- resident pages ---------------------------------------------------------------

OPPORTUNITY_RESULTS = 10
GROUP_RESULTS = 5


def find(request):
    """「あなたに合う活動を探す」: the form, and with answers the ranked results.

    A GET form: nothing is stored, the results can be bookmarked, and it works
    without JavaScript.
    """
    data = None
    # Other parameters (?print=large, a newsletter's utm_source) do not submit the form.
    if any(name in request.GET for name in MatchingForm.PROFILE_FIELDS):
        data = request.GET.copy()
        data.setdefault("max_km", MatchingForm.base_fields["max_km"].initial)
    form = MatchingForm(data)
    context = {"form": form, "contact_form": RegistrationForm(prefix="contact")}
    if form.is_bound and form.is_valid():
        context.update(_ranked(form))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "matching/find.html", context, status=status)


def _ranked(form):
    from cms.groups.models import GroupPage
    from cms.opportunities.models import OpportunityPage

    record = form.profile_record()
    opportunity_results = services.rank(record, limit=OPPORTUNITY_RESULTS)
    group_results = services.rank(record, limit=GROUP_RESULTS, kind="groups")
    opportunities = (
        OpportunityPage.objects.live()
        .public()
        .select_related("area", "facility")
        .in_bulk([r.key for r in opportunity_results])
    )
    groups = GroupPage.objects.live().public().in_bulk([r.key for r in group_results])
    query = form.query_string()
    return {
        "profile_query": query,
        "hidden_profile": [
            (name, value) for name, values in QueryDict(query).lists() for value in values
        ],
        "opportunity_rows": [
            {"result": r, "page": opportunities[r.key]}
            for r in opportunity_results
            if r.key in opportunities
        ],
        "group_rows": [
            {"result": r, "page": groups[r.key]} for r in group_results if r.key in groups
        ],
    }


@require_POST
def register(request):
    """Register the profile on the results page to receive suggestions later."""
    form = MatchingForm(request.POST)
    contact_form = RegistrationForm(request.POST, prefix="contact")
    if contact_form.is_spam():
        return redirect("matching_registration_sent")
    status = 400
    if form.is_valid() and contact_form.is_valid():
        if not too_many(request, "matching.register", contact_form.cleaned_data["email"]):
            return _registered(request, form, contact_form)
        contact_form.add_error(None, TOO_MANY_MESSAGE)
        status = 429
    # Everything typed comes back, with the errors beside their fields.
    context = {"form": form, "contact_form": contact_form, "show_registration": True}
    if form.is_valid():
        context.update(_ranked(form))
    return render(request, "matching/find.html", context, status=status)


def _registered(request, form, contact_form):
    profile = residents.register(form, contact_form)
    # The task makes the link when it sends the e-mail: no link in the queue.
    send_on_commit(tasks.send_registration_confirmation, profile.pk)
    return redirect("matching_registration_sent")


def registration_sent(request):
    return render(request, "matching/registration_sent.html")


def confirm(request, token):
    """The link in the confirmation e-mail: a button (POST), so that mail
    scanners opening the link do not confirm for the resident."""
    access = tokens.find(AccessToken.Purpose.CONFIRM_REGISTRATION, token)
    if access is None:
        return render(request, "matching/confirm.html", {"invalid": True}, status=400)
    if access.used_at or access.profile.email_confirmed_at:
        # Confirmed already (and perhaps merged into the address's earlier profile).
        return render(request, "matching/confirm.html", {"confirmed": True})
    if request.method == "POST":
        profile = residents.confirm_registration(access)
        send_on_commit(tasks.refresh_resident_suggestions, profile.pk)
        return render(request, "matching/confirm.html", {"confirmed": True})
    return render(request, "matching/confirm.html", {"profile": access.profile})


def _open_opportunity(page_id):
    from cms.opportunities.models import OpportunityPage

    return get_object_or_404(OpportunityPage.objects.live().public(), pk=page_id)


def interest(request, page_id):
    """「参加してみたい」 for an opportunity: name, contact, message, consent."""
    page = _open_opportunity(page_id)
    if not page.is_open or page.has_ended:
        return render(request, "matching/interest.html", {"opportunity": page, "closed": True})
    profile_query = request.POST.get("profile", "") if request.method == "POST" else ""
    if request.method == "GET":
        profile_query = request.GET.urlencode()
    matching_form = MatchingForm(QueryDict(profile_query[:4000]))
    matching_form = matching_form if matching_form.is_valid() else None
    form = InterestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_spam():
            return redirect("matching_interest_sent", page_id=page.pk)
        status = 400
        if form.is_valid():
            if not too_many(request, "matching.interest", form.cleaned_data["email"]):
                interest = residents.express_interest(page, form, matching_form)
                send_on_commit(tasks.send_interest_confirmation, interest.pk)
                return redirect("matching_interest_sent", page_id=page.pk)
            form.add_error(None, TOO_MANY_MESSAGE)
            status = 429
    context = {
        "opportunity": page,
        "form": form,
        "profile_query": matching_form.query_string() if matching_form else "",
    }
    return render(request, "matching/interest.html", context, status=status)


def interest_sent(request, page_id):
    page = _open_opportunity(page_id)
    return render(request, "matching/interest_sent.html", {"opportunity": page})


def confirm_interest(request, token):
    """The link that confirms a 「参加してみたい」: a button (POST), as for
    registrations; pressing it hands the request to the coordinators."""
    access = tokens.find(AccessToken.Purpose.CONFIRM_INTEREST, token)
    if access is None:
        return render(request, "matching/interest_confirm.html", {"invalid": True}, status=400)
    if access.used_at or access.interest is None:
        return render(request, "matching/interest_confirm.html", {"confirmed": True})
    opportunity = access.interest.opportunity
    if request.method == "POST":
        residents.confirm_interest(access)
        context = {"confirmed": True, "opportunity": opportunity}
        return render(request, "matching/interest_confirm.html", context)
    # The address's owner sees what they confirm: someone else may have typed it.
    context = {"opportunity": opportunity, "message": access.interest.message}
    return render(request, "matching/interest_confirm.html", context)
