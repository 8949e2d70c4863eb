"""Store an automated test run from its results file.

The file is checked completely before anything is written (see results.parse),
so a bad file changes nothing. Importing the same file again finds the run
already stored and creates nothing.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from .models import AccessibilityTestRun
from .results import load_file, parse

# Written by the browser tests (tests/browser); the demo loader imports it.
LATEST_RESULTS = Path(__file__).resolve().parent / "data" / "latest-results.json"


@dataclass
class ImportOutcome:
    run: AccessibilityTestRun
    created: bool

    def summary(self):
        tested = timezone.localtime(self.run.tested_at).isoformat()
        verb = "Imported" if self.created else "Already imported"
        return f"{verb} the run of {tested} ({self.run.tool}): {self.run.assessment.summary()}"


def checksum_of(data):
    """The same results give the same checksum, however the file was formatted."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def import_results(data):
    """Check `data` (a parsed results file) and store it as a run, once."""
    run_results = parse(data)
    checksum = checksum_of(data)
    existing = AccessibilityTestRun.objects.filter(checksum=checksum).first()
    if existing is not None:
        return ImportOutcome(run=existing, created=False)
    run = AccessibilityTestRun.objects.create(
        tested_at=run_results.tested_at,
        tool_name=run_results.tool_name,
        tool_version=run_results.tool_version,
        browser=run_results.browser,
        standard=run_results.standard,
        target_level=run_results.target_level,
        results=data,
        checksum=checksum,
    )
    return ImportOutcome(run=run, created=True)


def import_results_file(path):
    """Read, check and store the results file at `path`; ResultsError if it is bad."""
    return import_results(load_file(path))
