"""The weekly digest's unsubscribe link (matching/digest.py).

GET shows what the button does and changes nothing: mail scanners and link
previews open links. POST stops the digest, whether the resident pressed the
button or their mail program sent the one-click request of RFC 8058
(`List-Unsubscribe=One-Click`), which carries no CSRF token.
"""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import digest


@csrf_exempt  # RFC 8058 one-click POSTs from mail programs; the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """「配信停止」: a page with a button; pressing it (or one click) stops the digest."""
    genuine, profile = digest.profile_of_token(token)
    if not genuine:
        return render(request, "matching/digest_unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if profile is not None:
            digest.unsubscribe(profile)
        return render(request, "matching/digest_unsubscribe.html", {"stopped": True})
    # A profile deleted since (my-data, retention) gets nothing any more either.
    stopped = profile is None or not profile.receives_digest
    return render(request, "matching/digest_unsubscribe.html", {"already_stopped": stopped})
