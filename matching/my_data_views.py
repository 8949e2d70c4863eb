"""「登録内容の確認・削除」: residents see, download and delete their own data
(matching/privacy.py). Reached through a link sent to the registered address."""

import datetime
import json

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cms.infrastructure.abuse import TOO_MANY_MESSAGE, HoneypotMixin, too_many
from cms.infrastructure.queue import send_on_commit

from . import privacy, tasks
from .models import PersonalDataAccess

Action = PersonalDataAccess.Action


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
                url = request.build_absolute_uri(
                    reverse("matching_my_data", args=[privacy.my_data_token(email)])
                )
                send_on_commit(tasks.send_my_data_link, email, url)
                # The same answer whether or not the address is registered.
                return redirect("matching_my_data_sent")
            form.add_error(None, TOO_MANY_MESSAGE)
            status = 429
    return render(request, "matching/my_data_request.html", {"form": form}, status=status)


def link_sent(request):
    return render(request, "matching/my_data_sent.html")


def _profiles_or_error(request, token):
    email = privacy.address_of(token)
    if email is None:
        return None, render(request, "matching/my_data.html", {"invalid": True}, status=400)
    return list(privacy.profiles_of(email)), None


@never_cache
def my_data(request, token):
    profiles, error = _profiles_or_error(request, token)
    if error:
        return error
    if profiles:
        privacy.log_access(Action.RESIDENT_VIEWED, "resident profile", profiles)
    context = {"profiles": _with_dates(privacy.export(profiles)["profiles"]), "token": token}
    return render(request, "matching/my_data.html", context)


def _with_dates(profiles):
    """The export's ISO timestamps as datetimes, for Japanese dates on the page."""

    def parse(record):
        for key, value in record.items():
            if key.endswith("_at") and value:
                record[key] = datetime.datetime.fromisoformat(value)
        return record

    for profile in profiles:
        parse(profile)
        for suggestion in profile["suggestions"]:
            parse(suggestion)
    return profiles


@never_cache
def export(request, token):
    profiles, error = _profiles_or_error(request, token)
    if error:
        return error
    privacy.log_access(Action.RESIDENT_EXPORTED, "resident profile", profiles)
    body = json.dumps(privacy.export(profiles), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"musashino-my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
def delete(request, token):
    profiles, error = _profiles_or_error(request, token)
    if error:
        return error
    if request.method == "POST":
        privacy.erase(profiles)
        return render(request, "matching/my_data_delete.html", {"deleted": True})
    return render(request, "matching/my_data_delete.html", {"token": token, "count": len(profiles)})
