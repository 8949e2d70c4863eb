"""Automated accessibility test results (axe-core) and what they show.

The browser tests write one JSON file per run (tests/browser/conftest.py,
`axe_results`).
`load_file` and `parse` check it and turn it into plain records; `assess`
decides, per tested page and per success criterion of JIS X 8341-3:2016,
what the run shows. Nothing here touches the database.

An automated run cannot show that a page conforms to the standard: many
criteria (captions, keyboard use, meaningful sequence…) need a person to
check them. So a criterion is only reported as conforming when an axe rule
tested it and found no problem, and the run as a whole never claims the
target level unless every criterion of it was tested and passed.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import pgettext_lazy

from cms.core.jsonfile import read_json

from .criteria import LEVELS, STANDARD, Criterion, criteria_for_level

JAPAN = ZoneInfo("Asia/Tokyo")

# axe tags a rule with the success criteria it tests: "wcag111" is 1.1.1,
# "wcag1410" is 1.4.10 (principles and guidelines are single digits).
# Level tags such as "wcag2aa" or "wcag21a" do not match.
_CRITERION_TAG = re.compile(r"^wcag(\d)(\d)(\d{1,2})$")

RULE_LISTS = ("violations", "passes", "incomplete", "inapplicable")
# The browser tests always write the first two; older or trimmed files may
# leave out the rules that could not decide or did not apply.
REQUIRED_RULE_LISTS = ("violations", "passes")


class ResultsError(ValueError):
    """A problem in a results file; the message says where and what."""


class Outcome(models.TextChoices):
    """The result of one success criterion in the checklist."""

    # Translators: JIS X 8341-3 test report result: 適合
    PASS = "pass", pgettext_lazy("accessibility", "Conforms")
    # Translators: JIS X 8341-3 test report result: 不適合
    FAIL = "fail", pgettext_lazy("accessibility", "Does not conform")
    NEEDS_REVIEW = (
        "needs_review",
        pgettext_lazy(
            "accessibility",
            # Translators: an automated rule could not decide (axe "incomplete"):
            # 要確認(自動試験では判定できない箇所あり)
            "Needs review (the automated test could not decide some parts)",
        ),
    )
    NOT_TESTED = (
        "not_tested",
        pgettext_lazy(
            "accessibility",
            # Translators: 自動試験の対象外(目視等による確認が必要)
            "Not covered by the automated test (to be checked by eye or other means)",
        ),
    )


class Verdict(StrEnum):
    """What the run shows about the target level as a whole (the report words it)."""

    MET = "met"
    NOT_MET = "not_met"
    NO_PROBLEMS_FOUND = "no_problems_found"


def criterion_numbers(tags):
    """The success criterion numbers ("1.4.3") among axe tags, in tag order."""
    numbers = []
    for tag in tags:
        match = _CRITERION_TAG.match(tag)
        if match:
            number = ".".join(match.groups())
            if number not in numbers:
                numbers.append(number)
    return tuple(numbers)


@dataclass(frozen=True)
class RuleResult:
    """One axe rule's result on one page."""

    id: str
    tags: tuple
    impact: str = ""
    help: str = ""
    nodes: int = 0

    @property
    def criteria(self):
        return criterion_numbers(self.tags)


@dataclass(frozen=True)
class PageResult:
    url: str
    path: str
    page_type: str
    title: str
    viewport: str
    violations: tuple
    passes: tuple
    incomplete: tuple
    inapplicable: tuple


@dataclass(frozen=True)
class RunResults:
    """One automated run as the file describes it."""

    tested_at: datetime.datetime
    tool_name: str
    tool_version: str
    browser: str
    standard: str
    target_level: str
    tags: tuple
    pages: tuple


# -- reading and checking a file --------------------------------------------


def load_file(path):
    """The parsed JSON of `path`; ResultsError if it cannot be read as JSON."""
    return read_json(path, ResultsError)


def _type_name(value):
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _text(record, name, where, required=True):
    if name not in record:
        if required:
            raise ResultsError(f'{where}: missing "{name}"')
        return ""
    value = record[name]
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ResultsError(f'{where}: "{name}" must be text, not {_type_name(value)}')
    if required and not value.strip():
        raise ResultsError(f'{where}: "{name}" is empty')
    return value.strip()


def _list(record, name, where, required=True):
    if name not in record:
        if required:
            raise ResultsError(f'{where}: missing "{name}"')
        return []
    value = record[name]
    if not isinstance(value, list):
        raise ResultsError(f'{where}: "{name}" must be a list, not {_type_name(value)}')
    return value


def _tags(record, where):
    tags = _list(record, "tags", where)
    for tag in tags:
        if not isinstance(tag, str):
            raise ResultsError(f'{where}: "tags" must be a list of text, found {_type_name(tag)}')
    return tuple(tags)


def _tested_at(data):
    text = _text(data, "tested_at", "the file")
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ResultsError(
            f'the file: "tested_at" {text!r} is not an ISO 8601 date and time '
            '(e.g. "2026-11-21T15:04:05+09:00")'
        ) from None
    # A time without an offset is taken as Japan time, where the tests run.
    return value if value.tzinfo is not None else value.replace(tzinfo=JAPAN)


def _rule(record, where):
    if not isinstance(record, dict):
        raise ResultsError(f"{where} must be an object, not {_type_name(record)}")
    nodes = record.get("nodes", 0)
    if isinstance(nodes, list):
        # axe's own format lists the elements; the count is what we keep.
        nodes = len(nodes)
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 0:
        raise ResultsError(f'{where}: "nodes" must be a whole number, not {nodes!r}')
    return RuleResult(
        id=_text(record, "id", where),
        tags=_tags(record, where),
        impact=_text(record, "impact", where, required=False),
        help=_text(record, "help", where, required=False),
        nodes=nodes,
    )


def _page(record, index):
    where = f"pages[{index}]"
    if not isinstance(record, dict):
        raise ResultsError(f"{where} must be an object, not {_type_name(record)}")
    url = _text(record, "url", where)
    where = f'{where} ("{url}")'
    path = _text(record, "path", where, required=False)
    if not path:
        try:
            path = urlsplit(url).path or "/"
        except ValueError as error:  # e.g. "http://[" (an unclosed IPv6 address)
            raise ResultsError(f'{where}: "url" is not a URL ({error})') from None
    # A path of this site: "//host/…" would link the report to another site.
    if not path.startswith("/") or path.startswith("//"):
        raise ResultsError(
            f'{where}: "path" must be a path on this site, like "/about/", not {path!r}'
        )
    rules = {}
    for name in RULE_LISTS:
        items = _list(record, name, where, required=name in REQUIRED_RULE_LISTS)
        rules[name] = tuple(
            _rule(item, f"{where}: {name}[{position}]") for position, item in enumerate(items)
        )
    return PageResult(
        url=url,
        path=path,
        page_type=_text(record, "page_type", where, required=False),
        title=_text(record, "title", where, required=False),
        viewport=_text(record, "viewport", where, required=False),
        **rules,
    )


def parse(data):
    """Check the parsed JSON of a results file and return a RunResults.

    Raises ResultsError naming the first problem: a missing key, a value of
    the wrong type, a page without a URL.
    """
    if not isinstance(data, dict):
        raise ResultsError(f"the file must hold a JSON object, not {_type_name(data)}")
    tool = data.get("tool")
    if not isinstance(tool, dict):
        problem = (
            'missing "tool"'
            if tool is None
            else f'"tool" must be an object, not {_type_name(tool)}'
        )
        raise ResultsError(f"the file: {problem}")
    standard = _text(data, "standard", "the file")
    if standard != STANDARD:
        raise ResultsError(
            f'the file: "standard" is {standard!r}; this site reports against {STANDARD!r}'
        )
    target_level = _text(data, "target_level", "the file")
    if target_level not in LEVELS:
        raise ResultsError(
            f'the file: "target_level" must be one of {", ".join(LEVELS)}, not {target_level!r}'
        )
    tags = _tags(data, "the file") if "tags" in data else ()
    pages = _list(data, "pages", "the file")
    if not pages:
        raise ResultsError('the file: "pages" is empty; no page was tested')
    return RunResults(
        tested_at=_tested_at(data),
        tool_name=_text(tool, "name", "the file: tool"),
        tool_version=_text(tool, "version", "the file: tool"),
        browser=_text(data, "browser", "the file", required=False),
        standard=standard,
        target_level=target_level,
        tags=tags,
        pages=tuple(_page(record, index) for index, record in enumerate(pages)),
    )


# -- what a run shows ---------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """A violated rule on a page, with the checklist criteria it concerns."""

    rule: RuleResult
    criteria: tuple  # Criterion records of the target level

    @property
    def in_scope(self):
        """False for rules about criteria the standard does not have (e.g. WCAG 2.1)."""
        return bool(self.criteria)


@dataclass(frozen=True)
class PageAssessment:
    page: PageResult
    violations: tuple  # Violation

    @property
    def conforms(self):
        """No violation of a criterion of the target level."""
        return not any(violation.in_scope for violation in self.violations)

    @property
    def node_count(self):
        return sum(violation.rule.nodes for violation in self.violations)


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    outcome: str  # an Outcome value
    rules: tuple  # ids of the axe rules that tested it
    failures: tuple  # (PageResult, RuleResult) for each violation

    @property
    def applies(self):
        """An automated rule found content this criterion is about."""
        return self.outcome != Outcome.NOT_TESTED

    @property
    def outcome_label(self):
        return Outcome(self.outcome).label

    @property
    def failed_pages(self):
        return tuple(dict.fromkeys(page.path for page, _rule in self.failures))


@dataclass(frozen=True)
class Assessment:
    run: RunResults
    pages: tuple  # PageAssessment, in the file's order
    criteria: tuple  # CriterionResult, in the standard's order

    @property
    def failing_pages(self):
        return tuple(page for page in self.pages if not page.conforms)

    @property
    def violation_count(self):
        """Violated rules summed over the pages (axe counts a rule once per page)."""
        return sum(len(page.violations) for page in self.pages)

    @property
    def node_count(self):
        return sum(page.node_count for page in self.pages)

    @property
    def path_count(self):
        """Distinct addresses tested: a page may be tested at several screen sizes."""
        return len({page.page.path for page in self.pages})

    def criteria_with(self, outcome):
        return tuple(result for result in self.criteria if result.outcome == outcome)

    @property
    def failing_criteria(self):
        return self.criteria_with(Outcome.FAIL)

    @property
    def unconfirmed_criteria(self):
        """Criteria the run could not confirm: not covered, or undecided."""
        return self.criteria_with(Outcome.NOT_TESTED) + self.criteria_with(Outcome.NEEDS_REVIEW)

    @property
    def verdict(self):
        """Met only if every criterion of the target level was tested and passed."""
        if self.criteria_with(Outcome.FAIL):
            return Verdict.NOT_MET
        if all(result.outcome == Outcome.PASS for result in self.criteria):
            return Verdict.MET
        return Verdict.NO_PROBLEMS_FOUND

    def summary(self):
        """One line for the command line, e.g. "12 pages, 3 violations on 2 pages"."""
        pages = len(self.pages)
        return (
            f"{pages} page{'s' if pages != 1 else ''}, "
            f"{self.violation_count} violation{'s' if self.violation_count != 1 else ''} "
            f"({self.node_count} element{'s' if self.node_count != 1 else ''}) "
            f"on {len(self.failing_pages)} of them; criteria: "
            f"{len(self.criteria_with(Outcome.PASS))} conform, "
            f"{len(self.criteria_with(Outcome.FAIL))} do not, "
            f"{len(self.criteria_with(Outcome.NEEDS_REVIEW))} need review, "
            f"{len(self.criteria_with(Outcome.NOT_TESTED))} not covered"
        )


def assess(run):
    """Per page and per success criterion, what the run shows (an Assessment).

    A criterion is tested when an axe rule tagged with it passed, failed or
    could not decide (axe's "incomplete") on some page; rules that found
    nothing to test ("inapplicable") do not count. Any violation makes it
    FAIL; otherwise an undecided rule makes it NEEDS_REVIEW; otherwise a
    passing rule makes it PASS. A criterion no rule tested is NOT_TESTED.
    """
    checklist = criteria_for_level(run.target_level)
    by_number = {criterion.number: criterion for criterion in checklist}
    failures = defaultdict(list)
    undecided = defaultdict(set)
    passed = defaultdict(set)
    pages = []
    for page in run.pages:
        violations = []
        for rule in page.violations:
            covered = tuple(by_number[n] for n in rule.criteria if n in by_number)
            violations.append(Violation(rule=rule, criteria=covered))
            for criterion in covered:
                failures[criterion.number].append((page, rule))
        for rule in page.incomplete:
            for number in rule.criteria:
                undecided[number].add(rule.id)
        for rule in page.passes:
            for number in rule.criteria:
                passed[number].add(rule.id)
        pages.append(PageAssessment(page=page, violations=tuple(violations)))

    results = []
    for criterion in checklist:
        number = criterion.number
        if failures[number]:
            outcome = Outcome.FAIL
        elif undecided[number]:
            outcome = Outcome.NEEDS_REVIEW
        elif passed[number]:
            outcome = Outcome.PASS
        else:
            outcome = Outcome.NOT_TESTED
        rules = {rule.id for _page, rule in failures[number]} | undecided[number] | passed[number]
        results.append(
            CriterionResult(
                criterion=criterion,
                outcome=outcome.value,
                rules=tuple(sorted(rules)),
                failures=tuple(failures[number]),
            )
        )
    return Assessment(run=run, pages=tuple(pages), criteria=tuple(results))
