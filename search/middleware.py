"""Any page that needs the search engine while it is down: a 503 that says so.

The public search page handles this itself (a message, status 200); other
views that search through Wagtail (the admin's page and snippet searches,
choosers) would answer 500 with a traceback in the log. Here they answer 503
with a short explanation and Retry-After, and the log gets one line.
"""

import logging

from django.template.response import TemplateResponse

from .backends.engine import is_engine_unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60


class SearchEngineUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_engine_unavailable(exception):
            return None
        logger.warning(
            "search engine unavailable during %s: %s", request.path, type(exception).__name__
        )
        response = TemplateResponse(request, "search/unavailable.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response.render()
