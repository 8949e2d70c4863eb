"""The accessibility test-results page publishes what the axe checks of this
run found (runs last: the other browser tests have filled the results)."""

from tests.browser.conftest import screenshot, write_results


def test_results_page_publishes_this_runs_checks(
    site, page, axe_results, browser_version, axe_check, tmp_path
):
    assert axe_results, "the accessibility checks ran before this test"
    results = write_results(browser_version, tmp_path / "results.json")
    output = site.manage("import_accessibility_results", str(results))
    assert f"{len(axe_results)} pages, 0 violations" in output, output
    assert " 0 do not," in output, "no success criterion fails"

    page.goto(site("/"))
    page.get_by_role("link", name="アクセシビリティ試験結果").click()
    main = page.locator("main").inner_text()
    assert "JIS X 8341-3:2016" in main
    assert "達成基準チェックリスト" in main
    assert "1.4.3" in main and "4.1.2" in main
    # Every tested page type is listed with its result.
    tested = page.locator("main table").first.inner_text()
    assert "トップページ" in tested
    assert not axe_check(page, "accessibility test results (published)")
    screenshot(page, "accessibility-results-published")

    page.get_by_role("link", name="アクセシビリティ方針").first.click()
    assert "JIS X 8341-3:2016" in page.locator("main").inner_text()
