""".ci/audit.py (`make audit`): what it makes of pip-audit's and npm's reports.

The databases are not reachable from these machines, so the reports are
written here in the formats pip-audit 2.10 (`--format json`) and npm 9
(`npm audit --json`) produce.
"""

import importlib.util

from tests.docker.support import ROOT

spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_vulnerable_python_pin_is_named_with_its_fix():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.1",
                "vulns": [
                    {"id": "PYSEC-2025-1", "fix_versions": ["5.2.2", "4.2.22"], "aliases": []}
                ],
            },
            {"name": "wagtail", "version": "8.0.1", "vulns": []},
        ]
    }
    vulnerable, skipped = audit.python_findings(report)
    assert vulnerable == ["django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2, 4.2.22)"]
    assert skipped == []


def test_pins_a_mirror_does_not_know_are_not_audited():
    report = {
        "dependencies": [
            {
                "name": "django",
                "skip_reason": "Dependency not found on PyPI and could not be audited",
            }
        ]
    }
    assert audit.python_findings(report) == ([], ["django"])


def test_a_vulnerable_npm_package_is_named():
    report = {
        "vulnerabilities": {
            "axe-core": {"severity": "high", "range": "<4.11.1", "fixAvailable": True}
        }
    }
    assert audit.npm_findings(report) == ["axe-core: high (range <4.11.1; fix available: True)"]


def test_the_lock_files_age_comes_from_git():
    assert audit.lock_age(audit.PYTHON_LOCK).startswith("last committed 20")
