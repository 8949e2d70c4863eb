"""The JSON ranking endpoint the resident pages use. Nothing is stored."""

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .ranking_io import rank_profiles_data
from .sources import ProfileError

MAX_BODY_BYTES = 16_384
# Japanese stays readable in the response (UTF-8, not \uXXXX escapes).
READABLE = {"ensure_ascii": False}


@csrf_exempt  # no session, no state change: a pure function of the posted profile
@require_POST
def rank_api(request):
    """POST a profile {"skills", "interests", "slots", "area", "max_km"}; get ranked results.

    Query parameters: kind=opportunities|groups, limit=1..50.
    """
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
        profile = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(_("The body must be a JSON object."))
    if not isinstance(profile, dict):
        return _error(_("The body must be a JSON object."))
    try:
        (result,) = rank_profiles_data([profile], limit=limit, kind=kind)
    except ProfileError as error:
        return _error(str(error))
    return JsonResponse({"kind": kind, "results": result["results"]}, json_dumps_params=READABLE)


def _error(message, status=400):
    return JsonResponse({"error": message}, status=status, json_dumps_params=READABLE)
