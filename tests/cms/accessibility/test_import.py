"""`manage.py import_accessibility_results`: a run is stored once; a bad file changes nothing."""

import pytest

from django.core.management import CommandError, call_command

from cms.accessibility.models import AccessibilityTestRun

pytestmark = pytest.mark.django_db


def test_importing_a_valid_file_stores_the_run(results_data, write_results, capsys):
    before = AccessibilityTestRun.objects.count()
    call_command("import_accessibility_results", str(write_results(results_data)))
    output = capsys.readouterr().out
    assert AccessibilityTestRun.objects.count() == before + 1
    run = AccessibilityTestRun.objects.latest("imported_at")
    assert run.tested_at.isoformat() == "2026-11-21T06:04:05+00:00"
    assert (run.tool_name, run.tool_version, run.browser) == (
        "axe-core",
        "4.11.0",
        "Chromium 156.0.8078.73",
    )
    assert (run.standard, run.target_level) == ("JIS X 8341-3:2016", "AA")
    assert run.results == results_data
    assert output.count("\n") == 1
    assert output.startswith("Imported the run of 2026-11-21T15:04:05+09:00 (axe-core 4.11.0):")
    assert "3 pages, 2 violations (3 elements) on 1 of them" in output


def test_importing_the_same_results_again_stores_nothing(results_data, write_results, capsys):
    call_command("import_accessibility_results", str(write_results(results_data)))
    count = AccessibilityTestRun.objects.count()
    # Formatted differently, the same results are still the same run.
    path = write_results(results_data, name="again.json")
    path.write_text(path.read_text(encoding="utf-8").replace(", ", ",\n"), encoding="utf-8")
    call_command("import_accessibility_results", str(path))
    assert AccessibilityTestRun.objects.count() == count
    assert capsys.readouterr().out.splitlines()[-1].startswith("Already imported")


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", r"not valid JSON \(line 1, column 2"),
        ('{"tested_at": "2026-11-21T15:04:05+09:00"}', 'missing "tool"'),
    ],
)
def test_a_file_that_is_not_results_changes_nothing(write_results, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    before = AccessibilityTestRun.objects.count()
    with pytest.raises(CommandError, match=f"Nothing was imported: .*{message}"):
        call_command("import_accessibility_results", str(path))
    assert AccessibilityTestRun.objects.count() == before


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda data: data.pop("pages"), 'missing "pages"'),
        (lambda data: data["pages"][2].pop("url"), r'pages\[2\]: missing "url"'),
        (
            lambda data: data["pages"][1]["violations"][0].update(nodes="two"),
            r"pages\[1\] .*violations\[0\]: \"nodes\" must be a whole number, not 'two'",
        ),
        (
            lambda data: data["pages"][0].update(passes="image-alt"),
            r'pages\[0\] .*"passes" must be a list, not text',
        ),
    ],
)
def test_a_bad_results_file_changes_nothing(results_data, write_results, change, message):
    change(results_data)
    before = AccessibilityTestRun.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("import_accessibility_results", str(write_results(results_data)))
    assert AccessibilityTestRun.objects.count() == before


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="no-such.json: no such file"):
        call_command("import_accessibility_results", str(tmp_path / "no-such.json"))
