"""Print {page model label: path} for one live public page of every page type.

Run with the served site's environment (`python -m tests.browser.page_samples`);
the accessibility test checks each path, so a new page type without a live
page in the demo content fails there instead of going unchecked.
"""

import json

import django


def page_samples():
    from wagtail.models import Page, get_page_models

    samples = {}
    for model in get_page_models():
        if model is Page or model._meta.abstract:
            continue
        page = model.objects.live().public().order_by("path").first()
        samples[model._meta.label_lower] = page.url if page else None
    samples.update(resident_form_samples())
    return samples


def resident_form_samples():
    """The application form of an activity taking applications, and of a full
    one (the waiting-list wording): the demo content has both."""
    from django.urls import reverse

    from cms.activities.models import ActivityPage
    from cms.applications.booking import State, availabilities

    online = list(ActivityPage.objects.live().filter(application_mode="online").upcoming())
    states = availabilities(online)
    forms = {}
    for state, name in ((State.OPEN, "application form"), (State.WAITLIST, "waiting-list form")):
        page = next((p for p in online if states[p.pk].state == state), None)
        forms[name] = reverse("applications_apply", args=[page.pk]) if page else None
    return forms


if __name__ == "__main__":
    django.setup()
    print(json.dumps(page_samples()))  # noqa: T201
