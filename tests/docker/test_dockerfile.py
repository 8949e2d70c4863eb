"""docker/Dockerfile and .dockerignore, checked statically.

No Docker engine runs on these machines, so the image is never built here:
the Dockerfile is split into its instructions and checked for what the
image must do (stages, lock file, non-root user, static files, healthcheck,
entrypoint and command). tests/docker/test_processes.py runs the image's
command and healthcheck as plain processes.
"""

import fnmatch
import re
import shlex

import pytest

from tests.docker.support import HEALTHCHECK, ROOT, exec_form, stages


@pytest.fixture(scope="module")
def runtime():
    return stages()[-1][1]


def arguments(instructions, keyword):
    return [args for kw, args in instructions if kw == keyword]


def environment(instructions):
    values = {}
    for args in arguments(instructions, "ENV"):
        for pair in shlex.split(args):
            name, _, value = pair.partition("=")
            values[name] = value
    return values


def test_builds_in_two_stages_on_python_3_11_slim():
    all_stages = stages()
    assert len(all_stages) >= 2
    for from_args, _ in all_stages:
        assert from_args.startswith("python:3.11-slim"), from_args
    builder_name = all_stages[0][0].split()[-1]
    copies_from_builder = [
        args
        for args in arguments(all_stages[-1][1], "COPY")
        if args.startswith(f"--from={builder_name} /opt/venv")
    ]
    assert copies_from_builder, "the runtime stage takes the virtualenv from the builder"


def test_dependencies_are_installed_from_the_lock_file():
    builder = stages()[0][1]
    copied = " ".join(arguments(builder, "COPY"))
    assert "requirements.lock" in copied and "pyproject.toml" in copied
    runs = " ".join(arguments(builder, "RUN"))
    assert "pip install --constraint requirements.lock ." in runs


def test_the_runtime_stage_installs_no_compilers(runtime):
    runs = " ".join(arguments(runtime, "RUN"))
    assert not re.search(r"build-essential|\bgcc\b|-dev\b", runs)


def test_production_settings_are_the_default(runtime):
    env = environment(runtime)
    assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    # gunicorn takes its number of workers from WEB_CONCURRENCY.
    assert int(env["WEB_CONCURRENCY"]) >= 1


def test_static_files_are_collected_with_a_throwaway_secret(runtime):
    collect = [args for args in arguments(runtime, "RUN") if "collectstatic" in args]
    assert collect and "DJANGO_SECRET_KEY=" in collect[0]
    assert "--noinput" in collect[0]
    # The build-time key is not kept in the image.
    for _, instructions in stages():
        assert "DJANGO_SECRET_KEY" not in environment(instructions)
        assert not any("DJANGO_SECRET_KEY" in args for args in arguments(instructions, "ARG"))


def test_compiled_messages_are_in_the_image(runtime):
    assert (ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.mo").stat().st_size > 0
    assert any("locale/ja/LC_MESSAGES/django.mo" in args for args in arguments(runtime, "RUN"))


def test_runs_as_a_user_that_is_not_root(runtime):
    keywords = [kw for kw, _ in runtime]
    users = arguments(runtime, "USER")
    assert users, "no USER in the runtime stage"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert max(i for i, kw in enumerate(keywords) if kw == "USER") < keywords.index("CMD")
    assert any(f"--uid {user}" in args for args in arguments(runtime, "RUN"))


def test_exposes_8000_and_checks_healthz(runtime):
    assert "8000" in " ".join(arguments(runtime, "EXPOSE")).split()
    (healthcheck,) = arguments(runtime, "HEALTHCHECK")
    options, _, command = healthcheck.partition(" CMD ")
    assert "--start-period=" in options
    assert exec_form(command) == ["python", "/app/docker/healthcheck.py"]
    assert 'HEALTH_PATH = "/healthz/"' in HEALTHCHECK.read_text()


def test_the_entrypoint_and_gunicorn_command(runtime):
    assert arguments(runtime, "WORKDIR")[-1] == "/app"
    (entrypoint,) = arguments(runtime, "ENTRYPOINT")
    assert exec_form(entrypoint) == ["/app/docker/entrypoint.sh"]
    (cmd,) = arguments(runtime, "CMD")
    command = exec_form(cmd)
    assert command[:2] == ["gunicorn", "cms.wsgi"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert "--workers" not in command and "-w" not in command, "workers: WEB_CONCURRENCY"
    # gunicorn's access log writes whole request lines (link tokens, search
    # words); nginx logs the requests with those masked.
    assert "--access-logfile" not in command and "--access-logformat" not in command


def _ignored(path, patterns):
    """Docker's rule, simplified: a pattern excludes a path when it matches the
    path or one of its parent directories; `**/` matches at any depth."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    for pattern in patterns:
        anywhere = pattern.startswith("**/")
        pattern = pattern.removeprefix("**/")
        for prefix in prefixes:
            candidates = (prefix, prefix.rsplit("/", 1)[-1]) if anywhere else (prefix,)
            if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
                return True
    return False


def test_the_build_context_leaves_out_local_state_and_secrets():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(pattern.startswith("!") for pattern in patterns)
    for path in (
        ".venv/bin/python",
        ".git/HEAD",
        "db.sqlite3",
        "media/original_images/a.jpg",
        "artifacts/screenshots/a.png",
        "tests/browser/node_modules/axe-core/axe.min.js",
        "docker/.env",
    ):
        assert _ignored(path, patterns), path
    for path in (
        "pyproject.toml",
        "requirements.lock",
        "README.md",
        "manage.py",
        "cms/wsgi.py",
        "templates/base.html",
        "static/css/site.css",
        "locale/ja/LC_MESSAGES/django.mo",
        "docker/entrypoint.sh",
        "docker/healthcheck.py",
    ):
        assert not _ignored(path, patterns), path
