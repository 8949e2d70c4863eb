"""Reading a results file and deciding what it shows: no database needed."""

import datetime

import pytest

from cms.accessibility.criteria import CRITERIA, criteria_for_level
from cms.accessibility.results import (
    Outcome,
    ResultsError,
    Verdict,
    assess,
    criterion_numbers,
    parse,
)


def outcomes(assessment):
    return {result.criterion.number: result.outcome for result in assessment.criteria}


def test_the_checklist_is_the_38_criteria_of_level_a_and_aa():
    assert len(CRITERIA) == 38
    assert len({criterion.number for criterion in CRITERIA}) == 38
    assert sum(criterion.level == "A" for criterion in CRITERIA) == 25
    assert sum(criterion.level == "AA" for criterion in CRITERIA) == 13
    assert CRITERIA[0] == ("1.1.1", "非テキストコンテンツ", "A")
    assert CRITERIA[-1].number == "4.1.2" and CRITERIA[-1].level == "A"
    assert len(criteria_for_level("A")) == 25
    assert criteria_for_level("AA") == CRITERIA


def test_axe_tags_name_criteria_and_level_tags_do_not():
    tags = ["cat.color", "wcag2aa", "wcag21a", "wcag143", "wcag1410", "wcag412", "wcag143"]
    assert criterion_numbers(tags) == ("1.4.3", "1.4.10", "4.1.2")


def test_a_violation_makes_the_criterion_not_conform(results_data):
    assert outcomes(assess(parse(results_data)))["1.4.3"] == Outcome.FAIL


def test_passes_only_make_the_criterion_conform(results_data):
    result = outcomes(assess(parse(results_data)))
    assert result["1.1.1"] == result["2.4.2"] == result["3.1.1"] == Outcome.PASS


def test_criteria_no_rule_tested_are_not_claimed(results_data):
    assessment = assess(parse(results_data))
    result = outcomes(assessment)
    # 1.2.2: the caption rule found no video ("inapplicable"); 2.1.1: no rule ran.
    assert result["1.2.2"] == result["2.1.1"] == result["4.1.1"] == Outcome.NOT_TESTED
    untested = [r for r in assessment.criteria if r.outcome == Outcome.NOT_TESTED]
    assert untested and not any(r.applies for r in untested)


def test_an_undecided_rule_needs_review_rather_than_passing(results_data):
    # link-name passed 4.1.2 on the home page; aria-valid-attr-value could not decide.
    result = next(r for r in assess(parse(results_data)).criteria if r.criterion.number == "4.1.2")
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert result.applies
    assert result.rules == ("aria-valid-attr-value", "link-name")


def test_pages_fail_only_for_criteria_of_the_standard(results_data):
    home, activity, search = assess(parse(results_data)).pages
    assert home.conforms and not home.violations
    assert not activity.conforms
    assert [v.rule.id for v in activity.violations] == ["color-contrast"]
    assert [c.number for c in activity.violations[0].criteria] == ["1.4.3"]
    # 1.3.5 is WCAG 2.1, not JIS X 8341-3:2016: listed, but not a failure.
    assert search.conforms
    assert not search.violations[0].in_scope


def test_run_summary(results_data):
    assessment = assess(parse(results_data))
    assert assessment.verdict == Verdict.NOT_MET
    assert [r.criterion.number for r in assessment.failing_criteria] == ["1.4.3"]
    assert assessment.failing_criteria[0].failed_pages == ("/activities/kosodate-cafe-1/",)
    assert assessment.violation_count == 2 and assessment.node_count == 3
    assert assessment.summary().startswith("3 pages, 2 violations (3 elements) on 1 of them;")
    assert "1 do not" in assessment.summary()


def test_no_violation_is_not_a_claim_of_conformance(results_data):
    for page in results_data["pages"]:
        page["violations"] = []
    assessment = assess(parse(results_data))
    assert assessment.verdict == Verdict.NO_PROBLEMS_FOUND
    assert all(page.conforms for page in assessment.pages)


def test_the_level_is_met_only_when_every_criterion_was_tested_and_passed(results_data):
    every = [f"wcag{c.number.replace('.', '')}" for c in CRITERIA]
    page = results_data["pages"][0]
    page["passes"] = [{"id": "everything", "tags": every}]
    results_data["pages"] = [page]
    assert assess(parse(results_data)).verdict == Verdict.MET


def test_a_level_a_target_leaves_aa_criteria_out(results_data):
    results_data["target_level"] = "A"
    assessment = assess(parse(results_data))
    assert len(assessment.criteria) == 25
    assert "1.4.3" not in outcomes(assessment)
    assert all(page.conforms for page in assessment.pages)


def test_parse_keeps_what_the_report_needs(results_data):
    run = parse(results_data)
    assert run.tested_at == datetime.datetime(
        2026, 11, 21, 15, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
    )
    assert (run.tool_name, run.tool_version) == ("axe-core", "4.11.0")
    assert run.browser == "Chromium 156.0.8078.73"
    assert run.pages[2].path == "/search/?query=子育て"
    assert run.pages[1].violations[0].nodes == 2


def test_a_missing_path_comes_from_the_url_and_a_naive_time_is_japan_time(results_data):
    del results_data["pages"][1]["path"]
    results_data["tested_at"] = "2026-11-21T15:04:05"
    run = parse(results_data)
    assert run.pages[1].path == "/activities/kosodate-cafe-1/"
    assert run.tested_at.utcoffset() == datetime.timedelta(hours=9)


def _set(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("pages",), KeyError, 'missing "pages"'),
        (("pages",), {"url": "/"}, '"pages" must be a list, not an object'),
        (("pages",), [], '"pages" is empty'),
        (("pages", 0), "http://127.0.0.1:8765/", r"pages\[0\] must be an object, not text"),
        (("pages", 1, "url"), KeyError, r'pages\[1\]: missing "url"'),
        (("pages", 1, "url"), 42, r'pages\[1\]: "url" must be text, not a number'),
        (
            ("pages", 1, "violations"),
            {},
            r'pages\[1\] \(".*kosodate-cafe-1/"\): "violations" must be a list',
        ),
        (("pages", 1, "passes"), KeyError, r'pages\[1\] \(.*\): missing "passes"'),
        (
            ("pages", 1, "violations", 0, "nodes"),
            "2",
            r'violations\[0\]: "nodes" must be a whole number',
        ),
        (
            ("pages", 1, "violations", 0, "tags"),
            "wcag143",
            r'violations\[0\]: "tags" must be a list',
        ),
        (("pages", 0, "passes", 0, "tags"), [111], '"tags" must be a list of text'),
        (("pages", 0, "passes", 0, "id"), KeyError, r'passes\[0\]: missing "id"'),
        (("pages", 0, "path"), "//evil.example/", '"path" must be a path on this site'),
        (("tested_at",), "yesterday", "\"tested_at\" 'yesterday' is not an ISO 8601 date"),
        (("tested_at",), KeyError, 'missing "tested_at"'),
        (("tool",), KeyError, 'missing "tool"'),
        (("tool",), "axe-core", '"tool" must be an object, not text'),
        (("tool", "version"), KeyError, 'tool: missing "version"'),
        (("target_level",), "AAA", '"target_level" must be one of A, AA'),
        (("standard",), "WCAG 2.2", "this site reports against 'JIS X 8341-3:2016'"),
    ],
)
def test_bad_files_are_refused_naming_the_problem(results_data, path, value, message):
    _set(results_data, path, value)
    with pytest.raises(ResultsError, match=message):
        parse(results_data)


def test_a_list_at_the_top_is_refused(results_data):
    with pytest.raises(ResultsError, match="must hold a JSON object, not a list"):
        parse(results_data["pages"])
