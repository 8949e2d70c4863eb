"""Browser tests: Debian's Chromium, driven by Playwright, against the site
served by a real server process (`manage.py runserver`) on its own database.

`make test` runs them on SQLite with Celery inline; `make test-services` on
PostgreSQL with a real Celery worker on Redis. They skip, saying why, when
Chromium, Playwright or axe-core (`make browser-deps`) is missing; with
REQUIRE_BROWSER=1 (CI) a missing piece fails instead.

Every page a test visits can be checked with axe-core (`axe_check`); the
results go to artifacts/accessibility/results.json at the end of the run, the
file `import_accessibility_results` publishes on the test-results page.
Screenshots go to artifacts/screenshots/.
"""

import contextlib
import datetime
import functools
import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.serving import (
    Site,
    celery_worker,
    free_port,
    manage,
    postgres,
    process_environment,
    start,
    stop,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Also axe's best practices: headings in order, one h1, one main landmark,
# content inside landmarks, a skip link that works.
AXE_RUN_TAGS = [*AXE_TAGS, "best-practice"]
ADMIN = ("admin", os.environ.get("DEMO_ADMIN_PASSWORD", "musashino-demo"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def _missing():
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make install)"
    if not AXE.exists():
        return "axe-core is not installed (make browser-deps: npm ci in tests/browser)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    required = os.environ.get("REQUIRE_BROWSER") == "1"
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
        if reason and not required:  # with REQUIRE_BROWSER=1 the `site` fixture fails
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))
    if reason and browser_items:
        sys.stderr.write(f"\n*** browser tests skipped: {reason}\n")


# -- the server -------------------------------------------------------------------


BROWSER_DATABASE = f"musashino_browser_{os.getpid()}"  # runs side by side do not collide


def _services_database_url():
    """A fresh PostgreSQL database beside the test one when the run has services."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    postgres(f"DROP DATABASE IF EXISTS {BROWSER_DATABASE} WITH (FORCE)")
    postgres(f"CREATE DATABASE {BROWSER_DATABASE}")
    return urlsplit(url)._replace(path=f"/{BROWSER_DATABASE}").geturl()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """Migrate a new database, load the demo content and serve it."""
    if _missing():
        pytest.fail(f"REQUIRE_BROWSER=1 but {_missing()}")
    base = tmp_path_factory.mktemp("browser-site")
    mail_dir = base / "mail"
    database_url = _services_database_url()
    services = database_url is not None
    broker = os.environ.get("BROWSER_BROKER_URL", "redis://127.0.0.1:6379/2") if services else ""
    env = process_environment(
        **{
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": database_url or f"sqlite:///{base / 'site.sqlite3'}",
            "REDIS_URL": broker,
            "CELERY_BROKER_URL": broker,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
            "DJANGO_MEDIA_ROOT": str(base / "media"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo_content")
    manage(env, "import_civic_data", "matching/samples/civic_data.json")
    port = free_port()
    log = open(base / "server.log", "w")  # noqa: SIM115 - closed below
    runserver = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    processes = [start([*runserver, "--noreload", "--insecure"], env, log)]
    if services:
        processes.append(start(celery_worker("browser"), env, log))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", processes[0])
        yield Site(url, env, mail_dir)
    finally:
        stop(processes)
        log.close()
        if services:
            postgres(f"DROP DATABASE IF EXISTS {BROWSER_DATABASE} WITH (FORCE)")
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(base / "server.log", ARTIFACTS / "browser-server.log")


# -- the browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browser_version(browser):
    return f"Chromium {browser.version}"


@contextlib.contextmanager
def _tab(browser, viewport, **options):
    """A fresh browser context (no cookies) in Japanese, in Tokyo time."""
    context = browser.new_context(
        viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo", **options
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    # What the Content-Security-Policy blocked: a page's own code must not be.
    tab.csp_violations = []
    tab.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and tab.csp_violations.append(f"{tab.url}: {message.text}")
        ),
    )
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with _tab(browser, DESKTOP) as tab:
        yield tab


@pytest.fixture
def phone_page(browser):
    with _tab(browser, PHONE, is_mobile=True, has_touch=True) as tab:
        yield tab


@pytest.fixture
def no_js_page(browser):
    """A phone with JavaScript switched off: every resident journey must still work."""
    with _tab(browser, PHONE, is_mobile=True, has_touch=True, java_script_enabled=False) as tab:
        yield tab


def screenshot(page, name):
    """Save a full-page screenshot as a test artefact."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def login(page, site, username=ADMIN[0], password=ADMIN[1]):
    page.goto(site("/admin/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


# -- axe-core ---------------------------------------------------------------------

_RESULTS = []


@functools.cache
def _axe_source():
    return AXE.read_text(encoding="utf-8") + "\n;window.axe !== undefined"


def _rules(entries):
    return [{"id": entry["id"], "tags": entry["tags"]} for entry in entries]


RESULTS_FILE = ARTIFACTS / "accessibility" / "results.json"


def write_results(browser_version, path=RESULTS_FILE):
    """The axe runs so far, in the format `import_accessibility_results` reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    axe_version = json.loads((AXE.parent / "package.json").read_text())["version"]
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    report = {
        "tested_at": datetime.datetime.now(tokyo).isoformat(timespec="seconds"),
        "tool": {"name": "axe-core", "version": axe_version},
        "browser": browser_version,
        "standard": "JIS X 8341-3:2016",
        "target_level": "AA",
        "tags": AXE_RUN_TAGS,
        "pages": _RESULTS,
    }
    path.write_text(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
    return path


@pytest.fixture(scope="session")
def axe_results(browser_version):
    """Collects every axe run; written to artifacts/accessibility/results.json."""
    yield _RESULTS
    if _RESULTS:
        write_results(browser_version)


@pytest.fixture
def axe_check(axe_results):
    """axe_check(page, page_type) runs axe-core on the page as it is now, records
    the result and returns the violations (a test asserts there are none)."""

    def check(page, page_type):
        # Evaluated through DevTools, which the page's CSP does not govern
        # (a <script> tag would be, rightly, refused).
        page.evaluate(_axe_source())
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_RUN_TAGS
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "tags": v["tags"],
                "nodes": len(v["nodes"]),
                "targets": [node["target"] for node in v["nodes"][:5]],
            }
            for v in result["violations"]
        ]
        size = page.viewport_size
        axe_results.append(
            {
                "url": page.url,
                "path": urlsplit(page.url).path
                + (f"?{urlsplit(page.url).query}" if urlsplit(page.url).query else ""),
                "page_type": page_type,
                "title": page.title(),
                "viewport": f"{size['width']}x{size['height']}",
                "violations": violations,
                "passes": _rules(result["passes"]),
                "incomplete": _rules(result["incomplete"]),
                "inapplicable": _rules(result["inapplicable"]),
            }
        )
        return violations

    return check
