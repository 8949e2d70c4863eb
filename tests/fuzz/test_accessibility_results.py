"""Reading an axe-core results file: its own error for anything it cannot use."""

import copy
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.accessibility.importer import LATEST_RESULTS
from cms.accessibility.results import RULE_LISTS, ResultsError, assess, parse

from .strategies import any_string, fuzz_settings, json_values


def small_results():
    """The site's latest run cut to two pages with a few rules each."""
    data = json.loads(LATEST_RESULTS.read_text(encoding="utf-8"))
    pages = []
    for page in data["pages"][:2]:
        pages.append(
            {name: value[:3] if isinstance(value, list) else value for name, value in page.items()}
        )
    # Files may leave out a page's path; it is then taken from the URL.
    del pages[1]["path"]
    return {**data, "pages": pages}


SMALL_RESULTS = small_results()


# Values a file from another tool, an older version or a hand edit could hold.
ODD_VALUES = st.one_of(
    st.sampled_from(["http://[", "http://[::1", "//evil.example/", "javascript:x", "/ok/"]),
    json_values,
    any_string,
    st.sampled_from(["", " ", "wcag1410", "wcag2aa", -1, 10**30, 2.5, True]),
)


def items(value):
    """The entries of a list, [None] for anything else (an earlier change replaced it)."""
    return value if isinstance(value, list) and value else [None]


@st.composite
def damaged_results(draw):
    """The small run with one to three values replaced or removed: a field of
    the file, of a page, or of a rule entry, pages the most (the rule entries
    far outnumber the rest, so they are not picked in proportion)."""
    data = copy.deepcopy(SMALL_RESULTS)
    for _ in range(draw(st.integers(1, 3))):
        level = draw(st.sampled_from(["page", "file", "page", "rule"]))
        record = data
        if level != "file":
            record = draw(st.sampled_from(items(data.get("pages"))))
        if level == "rule" and isinstance(record, dict):
            record = draw(st.sampled_from(sum((items(record.get(n)) for n in RULE_LISTS), [None])))
        if not isinstance(record, dict) or not record:
            continue
        key = draw(st.sampled_from(sorted(record)))
        if draw(st.integers(0, 3)) == 0:
            del record[key]
        else:
            record[key] = draw(ODD_VALUES)
    return data


@given(data=st.one_of(json_values, damaged_results()))
@fuzz_settings(max_examples=1000)
def test_parse_returns_a_run_or_its_own_error(data):
    """An editor uploading a damaged or foreign results file is told what is
    wrong with it (ResultsError), not shown a server error; a file it accepts
    can be assessed and summarised."""
    try:
        run = parse(data)
    except ResultsError as error:
        assert str(error)
    else:
        assert assess(run).summary()


def test_a_url_python_cannot_split_is_reported():
    """Found by the test above: a page URL like "http://[" used to raise a plain ValueError."""
    data = copy.deepcopy(SMALL_RESULTS)
    data["pages"][1]["url"] = "http://["
    with pytest.raises(ResultsError, match=re.escape('pages[1] ("http://["): "url" is not a URL')):
        parse(data)
