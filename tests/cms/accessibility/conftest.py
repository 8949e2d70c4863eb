import copy
import json
from pathlib import Path

import pytest

RESULTS_FILE = Path(__file__).resolve().parent / "data" / "results.json"
_RESULTS = json.loads(RESULTS_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def results_data():
    """A small results file as the browser tests write it: three page tests,
    a contrast violation on the activity page, a WCAG 2.1-only violation on
    the search page."""
    return copy.deepcopy(_RESULTS)


@pytest.fixture
def write_results(tmp_path):
    """write_results(data) -> the path of a results file holding `data`."""

    def write(data, name="results.json"):
        path = tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    return write
