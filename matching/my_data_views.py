"""「登録内容の確認・削除」: residents see, download and delete their own data
(matching/privacy.py): the profiles and the applications for activities
(cms/applications/privacy.py) held for their address.

The link sent to the registered address holds a single-use token. Its button
uses the token up and opens a short session (MY_DATA_SESSION_MINUTES) on
pages whose URLs hold no token, so nothing that opens the data lingers in the
browser's history, a proxy's log or a Referer.
"""

import dataclasses
import datetime
import json

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cms.applications import privacy as applications_privacy
from cms.infrastructure.abuse import TOO_MANY_MESSAGE, HoneypotMixin, too_many
from cms.infrastructure.queue import send_on_commit

from . import privacy, tasks, tokens
from .models import AccessToken, PersonalDataAccess, email_digest

Action = PersonalDataAccess.Action
SESSION_KEY = "matching.my-data"


class MyDataRequestForm(HoneypotMixin):
    email = forms.EmailField(
        label=_("E-mail address you registered with"), max_length=254, required=True
    )


def request_link(request):
    form = MyDataRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_spam():
            return redirect("matching_my_data_sent")
        status = 400
        if form.is_valid():
            email = form.cleaned_data["email"]
            if not too_many(request, "matching.my-data", email):
                # Queued for every address: neither the answer nor its time
                # says whether the address is registered.
                send_on_commit(tasks.send_my_data_link, email_digest(email))
                return redirect("matching_my_data_sent")
            form.add_error(None, TOO_MANY_MESSAGE)
            status = 429
    return render(request, "matching/my_data_request.html", {"form": form}, status=status)


def link_sent(request):
    return render(request, "matching/my_data_sent.html")


def _invalid(request):
    context = {"invalid": True, "minutes": settings.MY_DATA_SESSION_MINUTES}
    return render(request, "matching/my_data.html", context, status=400)


@never_cache
def open_link(request, token):
    """The link from the e-mail: a button (POST) that uses it up and opens a
    session. Mail scanners that open links (GET) would otherwise use it first."""
    access = tokens.find(AccessToken.Purpose.MY_DATA, token)
    if access is None or access.used_at:
        return _invalid(request)
    if request.method != "POST":
        context = {"opening": True, "minutes": settings.MY_DATA_SESSION_MINUTES}
        return render(request, "matching/my_data.html", context)
    with transaction.atomic():
        access = AccessToken.objects.select_for_update().get(pk=access.pk)
        if access.used_at:  # two presses at once: one session
            return _invalid(request)
        access.used_at = timezone.now()
        access.save(update_fields=["used_at"])
    request.session.cycle_key()  # a new session id: none fixed in advance opens the data
    until = timezone.now() + datetime.timedelta(minutes=settings.MY_DATA_SESSION_MINUTES)
    request.session[SESSION_KEY] = {"token": access.pk, "until": until.timestamp()}
    return redirect("matching_my_data")


@dataclasses.dataclass
class Held:
    """What the office holds for the address whose link opened this session."""

    address_digest: str
    profiles: list
    applications: list

    def export(self):
        data = privacy.export(self.profiles)
        data["applications"] = applications_privacy.export(self.applications)
        return data

    def log(self, action):
        if self.profiles:
            privacy.log_access(action, "resident profile", self.profiles)
        if self.applications:
            privacy.log_access(action, "application", self.applications)


def _held_or_error(request):
    """What this browser's session may see, or the invalid-link page."""
    opened = request.session.get(SESSION_KEY) or {}
    if opened.get("until", 0) < timezone.now().timestamp():
        request.session.pop(SESSION_KEY, None)
        return None, _invalid(request)
    access = AccessToken.objects.select_related("profile").filter(pk=opened.get("token")).first()
    if access is None:  # deleted meanwhile (with its profile, or everything was deleted)
        request.session.pop(SESSION_KEY, None)
        return None, _invalid(request)
    digest = access.email_digest or (access.profile.email_digest if access.profile else "")
    if not digest:  # profiles entered without an address share "": they are nobody's link
        return Held("", [], []), None
    held = Held(
        digest,
        list(privacy.profiles_of(digest)),
        list(applications_privacy.applications_of(digest)),
    )
    return held, None


@never_cache
def my_data(request):
    held, error = _held_or_error(request)
    if error:
        return error
    held.log(Action.RESIDENT_VIEWED)
    data = held.export()
    context = {
        "profiles": _with_dates(data["profiles"]),
        "applications": [_parse_dates(a) for a in data["applications"]],
        "retention_days": settings.APPLICATION_RETENTION_DAYS,
    }
    return render(request, "matching/my_data.html", context)


def _parse_dates(record):
    """The export's ISO timestamps as datetimes, for Japanese dates on the page."""
    for key, value in record.items():
        if key.endswith("_at") and value:
            record[key] = datetime.datetime.fromisoformat(value)
    return record


def _with_dates(profiles):
    for profile in profiles:
        _parse_dates(profile)
        for suggestion in profile["suggestions"]:
            _parse_dates(suggestion)
        for interest in profile["requests_awaiting_confirmation"]:
            _parse_dates(interest)
    return profiles


@never_cache
def export(request):
    held, error = _held_or_error(request)
    if error:
        return error
    held.log(Action.RESIDENT_EXPORTED)
    body = json.dumps(held.export(), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"musashino-my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
def delete(request):
    held, error = _held_or_error(request)
    if error:
        return error
    if request.method == "POST":
        with transaction.atomic():
            # The applications first: the profiles' erasure then finds the
            # address holds nothing more (privacy.forget_profile).
            applications_privacy.forget(held.applications)
            privacy.erase(held.profiles)
            privacy.forget_address(held.address_digest)
        request.session.pop(SESSION_KEY, None)
        context = {
            "deleted": True,
            "profiles": len(held.profiles),
            "applications": len(held.applications),
        }
        return render(request, "matching/my_data_delete.html", context)
    context = {
        "profiles": len(held.profiles),
        "applications": len(held.applications),
        # What the deletion cancels: seats and places on waiting lists.
        "cancelled": [
            application
            for application in held.applications
            if applications_privacy.cancelled_by_forgetting(application)
        ],
    }
    return render(request, "matching/my_data_delete.html", context)
