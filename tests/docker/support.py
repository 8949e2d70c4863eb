"""Reading the files in docker/ the way Docker would, without Docker.

No Docker engine runs on these machines: compose.yaml is read with PyYAML,
interpolated with docker/.env.example as compose does (`--env-file`), its
services filtered by the active profiles and their env_file entries read;
the Dockerfile is split into instructions, and the settings modules are
scanned for the environment variables they read.
"""

import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"
ENTRYPOINT = DOCKER / "entrypoint.sh"
HEALTHCHECK = DOCKER / "healthcheck.py"
SETTINGS_FILES = [
    ROOT / "cms" / "settings" / "base.py",
    ROOT / "cms" / "settings" / "production.py",
]

APP_SERVICES = ("web", "worker", "beat")

# COMPOSE_PROFILES chooses the search engine: each names one service, its
# data volume and the URL variable web, worker and beat receive.
SEARCH_ENGINES = {
    "opensearch": {
        "volume": ("opensearch-data", "/usr/share/opensearch/data"),
        "url_variable": "OPENSEARCH_URL",
    },
    "elasticsearch": {
        "volume": ("elasticsearch-data", "/usr/share/elasticsearch/data"),
        "url_variable": "ELASTICSEARCH_URL",
    },
}

# env("NAME" …), env_bool(…), env_list(…), require("NAME", …), os.environ…
_SETTINGS_READ = re.compile(
    r"""\b(?:env|env_bool|env_list|require|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|\bos\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
_REQUIRE = re.compile(r"""\brequire\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_env_names():
    """Every environment variable cms/settings/base.py and production.py read."""
    names = set()
    for path in SETTINGS_FILES:
        for match in _SETTINGS_READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def settings_required_names():
    """The variables production settings refuse to start without (require(…))."""
    return {m.group(1) for path in SETTINGS_FILES for m in _REQUIRE.finditer(path.read_text())}


def read_env_file(path=ENV_EXAMPLE):
    """KEY=VALUE lines of a compose env file, as compose reads them."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        if not match:
            raise ValueError(f"{path.name} line {number}: not KEY=VALUE: {line!r}")
        name, value = match.groups()
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
            value = value[1:-1]
        elif " #" in value:
            raise ValueError(f"{path.name} line {number}: quote a value with ' #' in it")
        values[name] = value
    return values


class MissingVariable(LookupError):
    pass


_VARIABLE = re.compile(
    r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(text, variables):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""

    def replace(match):
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, argument = match.group(3), match.group(4)
        value = variables.get(name)
        if operator == ":-":
            return value if value else argument
        if operator == "-":
            return argument if value is None else value
        if (operator == ":?" and not value) or (operator == "?" and value is None):
            raise MissingVariable(f"{name}: {argument}")
        if value is None:
            raise MissingVariable(f"{name} is not set and has no default")
        return value

    return _VARIABLE.sub(replace, text)


def variables_used(node):
    """Names of the variables compose would interpolate anywhere in `node`."""
    if isinstance(node, dict):
        return set().union(*(variables_used(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(variables_used(value) for value in node))
    if isinstance(node, str):
        return {m.group(2) or m.group(5) for m in _VARIABLE.finditer(node) if not m.group(1)}
    return set()


def _resolve(node, variables):
    if isinstance(node, dict):
        return {key: _resolve(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, variables) for value in node]
    if isinstance(node, str):
        return interpolate(node, variables)
    return node


def load_compose():
    """compose.yaml as written (before interpolation)."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def resolved_compose(variables=None):
    """compose.yaml as `docker compose --env-file docker/.env.example config` sees it.

    Every service, enabled or not: `enabled_services` applies the profiles.
    """
    return _resolve(load_compose(), read_env_file() if variables is None else variables)


def profile_variables(profile):
    """docker/.env.example with COMPOSE_PROFILES set to `profile`."""
    return {**read_env_file(), "COMPOSE_PROFILES": profile}


def active_profiles(variables):
    return [name.strip() for name in variables.get("COMPOSE_PROFILES", "").split(",") if name]


def enabled_services(compose, profiles):
    """The services compose starts for these profiles: those without
    `profiles`, and those naming an active one."""
    return {
        name: service
        for name, service in compose["services"].items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }


def dependency_problems(compose, profiles):
    """What compose would refuse in the project these profiles make: a
    depends_on naming a service that is neither enabled nor optional
    (`required: false` on a service of an inactive profile)."""
    enabled = enabled_services(compose, profiles)
    problems = []
    for name, service in enabled.items():
        depends_on = service.get("depends_on") or {}
        for dependency in depends_on:
            options = depends_on[dependency] if isinstance(depends_on, dict) else {}
            if dependency in enabled:
                continue
            if dependency in compose["services"] and options.get("required") is False:
                continue
            problems.append(f"{name} depends on {dependency}, which is not enabled")
    return problems


def env_file_paths(service):
    """The env files of a service, as paths (compose's short and long syntax)."""
    entries = service.get("env_file") or []
    if isinstance(entries, str):
        entries = [entries]
    return [DOCKER / (entry["path"] if isinstance(entry, dict) else entry) for entry in entries]


def service_environment(service):
    """A service's environment as its container gets it: its env files, then
    `environment` over them (compose allows a list of KEY=VALUE too)."""
    values = {}
    for path in env_file_paths(service):
        values.update(read_env_file(path))
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    values.update(environment)
    return {key: "" if value is None else str(value) for key, value in values.items()}


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def exec_form(arguments):
    """A JSON-array instruction argument (CMD ["a", "b"]) as a list; shell form split."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return shlex.split(arguments)


def stages():
    """The Dockerfile's stages: a list of (FROM arguments, [instructions])."""
    result = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            result.append((arguments, []))
        elif result:
            result[-1][1].append((keyword, arguments))
    return result


def with_database(url, name):
    """The same server URL with another database name."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


# This machine's own service settings, not passed on to a container's process.
LOCAL_SERVICE_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "CELERY_",
    "REDIS_",
    "OPENSEARCH_",
    "ELASTICSEARCH_",
    "SEARCH_",
)


def local_run_environment(service_name, profile=None, **overrides):
    """A service's resolved compose environment, pointed at this machine.

    Secrets replace the .env.example placeholders (the entrypoint refuses
    those); the containers' host names are replaced by `overrides`.
    `profile`: COMPOSE_PROFILES, when not .env.example's.
    """
    variables = profile_variables(profile) if profile else None
    service = resolved_compose(variables)["services"][service_name]
    env = {k: v for k, v in os.environ.items() if not k.startswith(LOCAL_SERVICE_PREFIXES)}
    env.update(service_environment(service))
    env["DJANGO_SECRET_KEY"] = "local-run-" + "s3cr3t" * 10
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_entrypoint(command, service="worker", timeout=90, profile=None, **overrides):
    """docker/entrypoint.sh with `command`, in `service`'s environment, run here."""
    return subprocess.run(
        [str(ENTRYPOINT), *command],
        cwd=ROOT,
        env=local_run_environment(service, profile, **overrides),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sqlite_tables(path):
    with closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
