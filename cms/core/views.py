from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail.models import Page

from cms.infrastructure.abuse import TOO_MANY_MESSAGE, too_many
from cms.infrastructure.queue import send_on_commit

from .forms import PageFeedbackForm
from .tasks import notify_page_feedback


@require_POST
def submit_page_feedback(request, page_id):
    """Store a feedback answer for a live public page and go back to that page."""
    # Only public pages: re-rendering a private page here would bypass its
    # view restriction.
    page = get_object_or_404(Page.objects.live().public(), pk=page_id).specific
    form = PageFeedbackForm(request.POST)
    target = page.get_url(request) or "/"
    if form.is_spam():
        messages.success(request, _("Thank you for your feedback."))
        return redirect(f"{target}#page-feedback")
    status = 400
    if form.is_valid():
        if not too_many(request, "feedback"):
            return _save(request, form, page, target)
        form.add_error(None, TOO_MANY_MESSAGE)
        status = 429
    # Nothing the resident typed is lost: the page renders again with the
    # answers and the errors beside their fields.
    request.page_feedback_form = form
    response = page.serve(request)
    response.status_code = status
    return response


def _save(request, form, page, target):
    feedback = form.save(commit=False)
    feedback.page = page
    feedback.page_title = page.title[:255]
    feedback.page_url = page.get_full_url(request) or ""
    feedback.save()
    if feedback.comment:
        send_on_commit(notify_page_feedback, feedback.pk)
    messages.success(request, _("Thank you for your feedback."))
    return redirect(f"{target}#page-feedback")
