"""`make audit`: the pinned dependencies against a vulnerability database.

Python: pip-audit on requirements.lock (the PyPI JSON API's advisories, then
OSV's). JavaScript: `npm audit` on tests/browser/package-lock.json (the npm
registry's advisories). Exit status:

- 1 when a database answered and named a vulnerable pin (each one is
  printed with the versions that fix it);
- 0 when every database answered and found nothing;
- when no database answered for a lock file (a mirror without advisories,
  no route to osv.dev): a warning naming what could not be checked and the
  lock file's age (its last commit), then 0, or 2 with AUDIT_STRICT=1 (for
  the city's CI, which must reach a database: see README, "Security").
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_LOCK = ROOT / "requirements.lock"
NPM_LOCK = ROOT / "tests" / "browser" / "package-lock.json"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
PIP_AUDIT_SERVICES = ("pypi", "osv")


def say(line):
    sys.stdout.write(f"{line}\n")


class Unreachable(Exception):
    """No vulnerability database answered for a lock file."""


def python_findings(report):
    """(vulnerable pins, names not audited) from pip-audit's JSON report."""
    vulnerable, skipped = [], []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(dependency["name"])
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            vulnerable.append(
                f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})"
            )
    return vulnerable, skipped


def audit_python():
    """Vulnerable pins of requirements.lock; Unreachable when no service answered."""
    problems = []
    for service in PIP_AUDIT_SERVICES:
        result = subprocess.run(
            [str(PIP_AUDIT), "-r", str(PYTHON_LOCK), "--no-deps", "--disable-pip"]
            + ["--progress-spinner", "off", "--format", "json", "--vulnerability-service", service],
            capture_output=True,
            text=True,
            timeout=600,
        )
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            last_line = (result.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"{service}: {last_line[:120]}")
            continue
        vulnerable, skipped = python_findings(report)
        audited = len(report.get("dependencies", [])) - len(skipped)
        if audited == 0:
            problems.append(f"{service}: none of the {len(skipped)} pins was found")
            continue
        if skipped:
            say(f"warning: {service} could not audit {', '.join(skipped)}")
        say(f"requirements.lock: {audited} pins audited against {service}")
        return vulnerable
    raise Unreachable("; ".join(problems))


def npm_findings(report):
    """Vulnerable packages from `npm audit --json` (npm 7 and later)."""
    return [
        f"{name}: {entry.get('severity', '?')} (range {entry.get('range', '?')}; "
        f"fix available: {bool(entry.get('fixAvailable'))})"
        for name, entry in report.get("vulnerabilities", {}).items()
    ]


def audit_npm():
    """Vulnerable packages of the npm lock; Unreachable when the registry would not say."""
    try:
        result = subprocess.run(
            ["npm", "audit", "--package-lock-only", "--json", "--prefix", str(NPM_LOCK.parent)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except FileNotFoundError:
        raise Unreachable("npm is not installed") from None
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise Unreachable(f"npm audit gave no report (exit {result.returncode})") from None
    if "error" in report:
        summary = report.get("message") or report["error"].get("summary") or "an error"
        raise Unreachable(f"npm audit: {summary}"[:200])
    say(f"{NPM_LOCK.relative_to(ROOT)}: audited against the npm registry")
    return npm_findings(report)


def lock_age(path):
    """When the lock file was last committed, and how many days ago."""
    committed = subprocess.run(
        ["git", "log", "-1", "--format=%cI", "--", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    if not committed:
        return "never committed"
    when = datetime.datetime.fromisoformat(committed)
    days = (datetime.datetime.now(datetime.UTC) - when).days
    return f"last committed {when:%Y-%m-%d}, {days} day(s) ago"


def main():
    vulnerable, unreachable = [], []
    for path, audit in ((PYTHON_LOCK, audit_python), (NPM_LOCK, audit_npm)):
        try:
            vulnerable += audit()
        except Unreachable as reason:
            unreachable.append(f"{path.relative_to(ROOT)} ({lock_age(path)}): {reason}")
    for line in vulnerable:
        say(f"VULNERABLE {line}")
    if unreachable:
        say("WARNING: no vulnerability database reachable for:")
        for line in unreachable:
            say(f"  {line}")
        say("  These pins were NOT checked. Run `make audit` where PyPI's JSON API")
        say("  (or osv.dev) and the npm registry's audit endpoint answer.")
    if vulnerable:
        return 1
    if unreachable and os.environ.get("AUDIT_STRICT") == "1":
        return 2
    if not unreachable:
        say("No known vulnerabilities in the pinned dependencies.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
