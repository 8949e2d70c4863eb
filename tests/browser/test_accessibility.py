"""axe-core (WCAG 2.0/2.1 A and AA rules) finds nothing on any page type, on a
desktop and a phone screen, nor on the print and large-print views, the forms
with their errors showing, the search and matching results and the 404 page.

The results are what the accessibility test-results page publishes.
"""

import json
import subprocess
import sys

import pytest

from wagtail.models import Page, get_page_models

from tests.browser.conftest import PHONE, ROOT, screenshot

PAGE_MODELS = [
    model._meta.label_lower
    for model in get_page_models()
    if model is not Page and not model._meta.abstract
]


@pytest.fixture(scope="session")
def samples(site):
    output = subprocess.run(
        [sys.executable, "-m", "tests.browser.page_samples"],
        cwd=ROOT,
        env=site.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _describe(violations):
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in violations
    )


def _check(page, axe_check, page_type, name=None):
    violations = axe_check(page, page_type)
    if name:
        screenshot(page, name)
    assert not violations, f"{page_type} at {page.url}:\n{_describe(violations)}"
    assert not page.csp_violations, page.csp_violations


@pytest.mark.parametrize("model", PAGE_MODELS)
def test_every_page_type_passes_axe(site, samples, page, phone_page, axe_check, model):
    path = samples.get(model)
    assert path, f"the demo content has no live page of type {model} to check"
    for tab in (page, phone_page):
        response = tab.goto(site(path))
        assert response.status == 200
        _check(tab, axe_check, model, name=model.replace(".", "-"))


RESIDENT_VIEWS = {
    "search results": "/search/?query=子育て",
    "search without results": "/search/?query=存在しない言葉ｘｙｚ",
    "matching form": "/matching/",
    "matching results": "/matching/?skills=reading-aloud&slots=tue-am&area=kichijoji-honcho",
    "matching form with errors": "/matching/?interests=",
    "activity calendar": "/activities/calendar/",
    "page not found (404)": "/no-such-page/",
    "application link not valid": "/applications/confirm/not-a-token/",
    "applicant page link not valid": "/applications/manage/not-a-token/",
    "digest unsubscribe link not valid": "/matching/digest/unsubscribe/not-a-token/",
}


@pytest.mark.parametrize("name", RESIDENT_VIEWS)
def test_resident_views_pass_axe(site, page, phone_page, axe_check, name):
    for tab in (page, phone_page):
        tab.goto(site(RESIDENT_VIEWS[name]))
        _check(tab, axe_check, name, name=name.split(" (")[0].replace(" ", "-"))


@pytest.mark.parametrize("name", ["application form", "waiting-list form"])
def test_application_forms_pass_axe(site, samples, page, phone_page, axe_check, name):
    assert samples[name], f"the demo content has no activity for the {name}"
    for tab in (page, phone_page):
        tab.goto(site(samples[name]))
        _check(tab, axe_check, name, name=name.replace(" ", "-"))


def test_print_and_large_print_views_pass_axe(site, samples, page, axe_check):
    sizes = {}
    for view, label in (("1", "print view"), ("large", "large-print view")):
        page.goto(site(samples["activities.activitypage"] + f"?print={view}"))
        _check(page, axe_check, label, name=f"print-{view}")
        sizes[view] = float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2])
    assert sizes["large"] >= 1.5 * sizes["1"] - 0.01, f"large print is 150% of print: {sizes}"


def test_forms_with_errors_pass_axe(site, samples, page, axe_check):
    """Errors are announced, listed at the top and tied to their fields."""
    page.goto(site("/matching/?skills=reading-aloud"))
    page.click("text=参加してみたい >> nth=0")
    page.click("main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    name = page.locator("#id_name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "id_name_error" in name.get_attribute("aria-describedby")
    _check(page, axe_check, "take-part form with errors", name="interest-errors")

    page.goto(site(samples["activities.activitypage"]))
    page.click("#page-feedback button[type=submit]")
    _check(page, axe_check, "feedback form with errors")


def test_skip_link_and_focus_are_visible(site, samples, page):
    page.goto(site(samples["activities.activitypage"]))
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "本文へ移動"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link shows when focused"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.closest('main') !== null,"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == [True, "solid"], "the next Tab stays in the content, with a visible ring"


def test_phone_layout_does_not_scroll_sideways(site, samples, phone_page):
    # Every page type (the plan's wide tables once did, through a cell's
    # visually-hidden text), the forms and the matching results.
    paths = [path for path in samples.values() if path]
    for path in [*paths, "/matching/?skills=childcare", "/"]:
        phone_page.goto(site(path))
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a {PHONE['width']}px phone"
