"""Reading the files in docker/ the way Docker would, without Docker.

No Docker engine runs on these machines: compose.yaml is read with the
YAML-subset loader and interpolated with docker/.env.example as compose
does (`--env-file`), the Dockerfile is split into instructions, and the
settings modules are scanned for the environment variables they read.
"""

import json
import os
import re
import shlex
import socket
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
    """compose.yaml as `docker compose --env-file docker/.env.example config` sees it."""
    return _resolve(load_compose(), read_env_file() if variables is None else variables)


def service_environment(service):
    """A service's environment as a dict (compose allows a list of KEY=VALUE too)."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_database(url, name):
    """The same server URL with another database name."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def local_run_environment(service_name, **overrides):
    """A service's resolved compose environment, pointed at this machine.

    Secrets replace the .env.example placeholders (the entrypoint refuses
    those); the containers' host names are replaced by `overrides`.
    """
    service = resolved_compose()["services"][service_name]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "ELASTICSEARCH_"))
    }
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


def run_entrypoint(command, service="worker", timeout=90, **overrides):
    """docker/entrypoint.sh with `command`, in `service`'s environment, run here."""
    return subprocess.run(
        [str(ENTRYPOINT), *command],
        cwd=ROOT,
        env=local_run_environment(service, **overrides),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sqlite_tables(path):
    with closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
