"""The policy page, the test-results page and the footer links to both."""

import datetime
import re

import pytest

from django.utils.html import escape
from django.utils.translation import gettext, override, pgettext

from wagtail.models import Page

from cms.accessibility.criteria import CRITERIA
from cms.accessibility.importer import import_results
from cms.accessibility.models import (
    AccessibilityPolicyPage,
    AccessibilityReportPage,
    AccessibilityTestRun,
)
from cms.accessibility.results import Outcome

pytestmark = pytest.mark.django_db


def site_text(message, context=None):
    """A UI string as residents see it: the site is always in Japanese."""
    with override("ja"):
        return escape(pgettext(context, message) if context else gettext(message))


@pytest.fixture
def report_page():
    return AccessibilityReportPage.objects.get(slug="results")


@pytest.fixture
def no_runs():
    # The demo loader imports the latest real run when there is one.
    AccessibilityTestRun.objects.all().delete()


def table(html, caption):
    start = html.index(caption)
    return html[html.rindex("<table", 0, start) : html.index("</table>", start)]


def row(html, header):
    start = html.index(header)
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_demo_content_has_the_policy_and_its_results_page():
    policy = AccessibilityPolicyPage.objects.live().get(slug="accessibility")
    assert policy.get_parent().specific_class.__name__ == "HomePage"
    assert policy.title == "アクセシビリティ方針"
    assert policy.target_level == "AA"
    assert "JIS X 8341-3:2016" in policy.introduction
    results = AccessibilityReportPage.objects.live().child_of(policy).get()
    assert results.slug == "results" and results.title == "試験結果"
    assert policy.url == "/accessibility/" and results.url == "/accessibility/results/"


def test_the_policy_page_shows_the_target_and_links_the_results(client):
    html = client.get("/accessibility/").content.decode()
    assert "JIS X 8341-3:2016" in html
    assert "令和9年(2027年)3月31日" in html
    assert 'href="/accessibility/results/"' in html
    assert "例外事項" in html and "この方針を定める前に作成したPDFファイル" in html
    assert "このページに関するお問い合わせ" in html


def test_without_a_run_the_results_page_says_so(client, no_runs):
    response = client.get("/accessibility/results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert site_text("No accessibility test results have been published yet.") in html
    assert "<table" not in html


def test_the_results_page_reports_the_latest_run(client, no_runs, results_data):
    import_results(results_data)
    html = client.get("/accessibility/results/").content.decode()
    assert "JIS X 8341-3:2016" in html
    assert "令和8年(2026年)11月21日(土)" in html
    assert "axe-core 4.11.0 (Chromium 156.0.8078.73)" in html
    assert "HTML、CSS(JavaScriptには依存していません)" in html
    assert "代表的なページを1ページずつ選び" in html

    pages = table(html, site_text("Result of each tested page"))
    assert pages.count('<th scope="col">') == 5
    assert pages.count('<th scope="row">') == 3
    activity = row(pages, "第1回 つながる子育てカフェ in 武蔵野")
    assert 'href="/activities/kosodate-cafe-1/"' in activity
    assert "講座・イベント (activity)" in activity
    assert site_text("Does not conform", "accessibility") in activity
    assert "Elements must meet minimum color contrast ratio thresholds" in activity
    assert "1.4.3 コントラスト(最低限レベル)" in activity
    home = row(pages, 'href="/"')
    # The model label in the file is shown as the page type's name.
    assert "home.homepage" not in home
    assert site_text("Conforms", "accessibility") in home
    search = row(pages, "検索結果")
    assert site_text("Conforms", "accessibility") in search
    assert "autocomplete-valid" in search
    with override("ja"):
        out_of_scope = gettext(
            "WCAG %(numbers)s, not a success criterion of the standard at the target level"
        ) % {"numbers": "1.3.5"}
    assert escape(out_of_scope) in search


def test_the_checklist_lists_every_criterion_with_its_result(client, no_runs, results_data):
    import_results(results_data)
    html = client.get("/accessibility/results/").content.decode()
    checklist = table(html, "1.1.1 非テキストコンテンツ")
    assert "<caption" in checklist
    assert checklist.count('<th scope="row">') == 38
    for criterion in CRITERIA:
        assert f"{criterion.number} {escape(criterion.name)}</th>" in checklist
    expected = {
        "1.4.3": Outcome.FAIL,
        "1.1.1": Outcome.PASS,
        "4.1.2": Outcome.NEEDS_REVIEW,
        "1.2.2": Outcome.NOT_TESTED,
        "2.1.1": Outcome.NOT_TESTED,
    }
    for number, outcome in expected.items():
        cells = row(checklist, f'<th scope="row">{number} ')
        with override("ja"):
            label = escape(str(outcome.label))
        assert f'class="result result--{outcome.value}">{label}<' in cells, number
    assert "/activities/kosodate-cafe-1/" in row(checklist, '<th scope="row">1.4.3 ')
    untested = row(checklist, '<th scope="row">2.1.1 ')
    assert site_text("Not determined", "accessibility") in untested
    assert site_text("Yes", "accessibility") not in untested


def test_the_latest_run_is_the_one_tested_last_unless_one_is_chosen(
    client, no_runs, results_data, report_page
):
    older = dict(results_data, tested_at="2026-04-01T10:00:00+09:00")
    older["pages"] = results_data["pages"][:1]
    chosen = import_results(older).run
    import_results(results_data)
    assert "令和8年(2026年)11月21日" in client.get(report_page.url).content.decode()
    report_page.test_run = chosen
    report_page.save_revision().publish()
    html = client.get(report_page.url).content.decode()
    assert "令和8年(2026年)4月1日" in html
    assert "第1回 つながる子育てカフェ" not in html


def test_every_page_links_the_policy_and_the_results_in_the_footer(client):
    html = client.get("/about/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert re.search(r'<a href="/accessibility/">\s*' + site_text("Accessibility policy"), footer)
    assert re.search(
        r'<a href="/accessibility/results/">\s*' + site_text("Accessibility test results"),
        footer,
    )


def test_the_footer_leaves_out_the_links_when_there_is_no_policy(client):
    AccessibilityPolicyPage.objects.get(slug="accessibility").unpublish()
    html = client.get("/about/").content.decode()
    assert 'href="/accessibility/' not in html


def test_the_footer_looks_the_pages_up_once_per_request(client, django_assert_max_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    from wagtail.models import Site

    request = RequestFactory().get("/about/")
    request.site = Site.objects.get(is_default_site=True)
    template = Template("{% load accessibility_tags %}{% accessibility_pages as a %}{{ a.0.pk }}")
    template.render(Context({"request": request}))
    with django_assert_max_num_queries(0):
        template.render(Context({"request": request}))


def test_editors_can_add_a_results_page_under_the_policy(admin_client_ja):
    policy = Page.objects.get(slug="accessibility")
    response = admin_client_ja.get(
        f"/admin/pages/add/accessibility/accessibilityreportpage/{policy.pk}/"
    )
    assert response.status_code == 200


def test_test_runs_are_listed_and_inspected_but_not_added_or_edited(admin_client_ja, results_data):
    run = import_results(results_data).run
    listing = admin_client_ja.get("/admin/accessibility_test_runs/")
    assert listing.status_code == 200
    assert "axe-core" in listing.content.decode()
    assert "/admin/accessibility_test_runs/new/" not in listing.content.decode()
    inspect = admin_client_ja.get(f"/admin/accessibility_test_runs/inspect/{run.pk}/")
    assert inspect.status_code == 200
    count = AccessibilityTestRun.objects.count()
    assert admin_client_ja.get("/admin/accessibility_test_runs/new/").status_code != 200
    assert admin_client_ja.post("/admin/accessibility_test_runs/new/", {}).status_code != 200
    assert admin_client_ja.get(f"/admin/accessibility_test_runs/edit/{run.pk}/").status_code != 200
    assert AccessibilityTestRun.objects.count() == count


def test_page_type_labels_use_the_model_name():
    from cms.accessibility.templatetags.accessibility_tags import page_type_label

    with override("en"):
        assert page_type_label("core.standardpage") == "Standard page"
    assert page_type_label("search results") == "search results"
    assert page_type_label("講座・イベント (activity)") == "講座・イベント (activity)"
    assert page_type_label("no.such") == "no.such"


def test_loader_imports_the_latest_results_once(monkeypatch, no_runs, tmp_path, results_data):
    import json

    from cms.demo import loader

    path = tmp_path / "latest-results.json"
    path.write_text(json.dumps(results_data), encoding="utf-8")
    monkeypatch.setattr(loader, "LATEST_RESULTS", path)
    report = loader.load_demo_content()
    assert [kind for kind, _label in report.created] == ["accessibility test run"]
    assert AccessibilityTestRun.objects.get().tested_at == datetime.datetime.fromisoformat(
        "2026-11-21T15:04:05+09:00"
    )
    assert loader.load_demo_content().created == []
    assert AccessibilityTestRun.objects.count() == 1
