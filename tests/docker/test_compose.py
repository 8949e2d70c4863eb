"""docker/compose.yaml, checked statically.

No Docker engine runs on these machines, so nothing here calls `docker
compose`: the file is parsed (PyYAML), interpolated
with docker/.env.example as compose does with `--env-file`, and checked for
services, commands, healthcheck wiring, start order and volumes, and for
the environment: every variable that cms/settings/base.py and production.py
read is either given to web, worker and beat or named below as optional.
"""

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest

from django.conf import settings

from tests.docker.support import (
    APP_SERVICES,
    DOCKER,
    ROOT,
    MissingVariable,
    exec_form,
    load_compose,
    read_env_file,
    resolved_compose,
    service_environment,
    settings_env_names,
    settings_required_names,
    stages,
    variables_used,
)

SERVICES = {"web", "worker", "beat", "db", "redis", "elasticsearch", "proxy"}

# Read by the settings and deliberately not given by compose: the default in
# settings is the right value for these containers.
OPTIONAL_WITH_DEFAULTS = {
    "DJANGO_EMAIL_FILE_PATH": "only for Django's file-based e-mail backend",
}

# Read by the settings and never to be set in production.
MUST_STAY_UNSET = {
    "DJANGO_DEBUG": "DEBUG stays off (base.py's default)",
    "DJANGO_STATIC_ROOT": (
        "the image collects static files at build time into the default "
        "STATIC_ROOT; another path at run time leaves WhiteNoise nothing to serve"
    ),
}

# Without these production still starts, but wrong: SQLite inside the
# container, a cache per process, tasks inline, database search, console
# e-mail, uploads outside the media volume, links to 127.0.0.1.
REQUIRED_IN_PRODUCTION = {
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "ELASTICSEARCH_URL",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "WAGTAILADMIN_BASE_URL",
    "DJANGO_MEDIA_ROOT",
    "DJANGO_EMAIL_BACKEND",
    "DJANGO_EMAIL_HOST",
    "DJANGO_DEFAULT_FROM_EMAIL",
}

NAMED_VOLUMES = {
    "db": ("postgres-data", "/var/lib/postgresql/data"),
    "elasticsearch": ("elasticsearch-data", "/usr/share/elasticsearch/data"),
    "redis": ("redis-data", "/data"),
    "beat": ("beat-schedule", "/var/lib/musashino"),
}


@pytest.fixture(scope="module")
def compose():
    return resolved_compose()


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def mounts(service):
    """(source, target, read_only) for each short-syntax volume of a service."""
    result = []
    for entry in service.get("volumes", []):
        source, target, *mode = entry.split(":")
        result.append((source, target, mode == ["ro"]))
    return result


def image_cmd():
    return exec_form(next(args for kw, args in stages()[-1][1] if kw == "CMD"))


def command_of(name, services):
    """The command a service runs: compose's `command`, else the image's CMD."""
    service = services[name]
    if "command" in service:
        command = service["command"]
        return command if isinstance(command, list) else command.split()
    assert name in APP_SERVICES, f"{name} has no command and does not run the portal's image"
    return image_cmd()


def test_every_service_is_defined(services):
    assert SERVICES <= set(services)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable")
    test = healthcheck["test"]
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1
    assert {"interval", "timeout", "retries"} <= set(healthcheck)


def test_each_healthcheck_asks_its_own_process(services):
    web = services["web"]["healthcheck"]["test"]
    assert web == ["CMD", "python", "/app/docker/healthcheck.py"]
    assert "HEALTHCHECK_PORT" not in service_environment(services["web"])  # 8000, as bound
    worker = services["worker"]["healthcheck"]["test"][1]
    assert "celery -A cms inspect ping --destination celery@$HOSTNAME" in worker
    beat = services["beat"]["healthcheck"]["test"][1]
    assert "celery -A cms inspect ping --destination celerybeat@$HOSTNAME" in beat
    # beat answers ping only with remote control on.
    assert "--enable-remote-control" in command_of("beat", services)
    assert "pg_isready" in services["db"]["healthcheck"]["test"][1]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "_cluster/health" in services["elasticsearch"]["healthcheck"]["test"][1]


def test_web_worker_and_beat_run_the_built_image_through_the_entrypoint(services):
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, images
    for name in APP_SERVICES:
        build = services[name]["build"]
        context = (DOCKER / build["context"]).resolve()
        assert context == ROOT
        assert (context / build["dockerfile"]).resolve() == DOCKER / "Dockerfile"
        assert services[name]["entrypoint"] == ["/app/docker/entrypoint.sh"]
    image_entrypoint = next(args for kw, args in stages()[-1][1] if kw == "ENTRYPOINT")
    assert exec_form(image_entrypoint) == ["/app/docker/entrypoint.sh"]


def test_web_worker_and_beat_run_the_right_commands(services):
    web = command_of("web", services)
    assert web[:2] == ["gunicorn", "cms.wsgi"]
    assert web[web.index("--bind") + 1] == "0.0.0.0:8000"
    assert command_of("worker", services)[:4] == ["celery", "-A", "cms", "worker"]
    beat = command_of("beat", services)
    assert beat[:4] == ["celery", "-A", "cms", "beat"]
    # The schedule file lives in a volume, so a restart does not forget it.
    schedule = PurePosixPath(beat[beat.index("--schedule") + 1])
    targets = [PurePosixPath(target) for _, target, _ in mounts(services["beat"])]
    assert any(schedule.is_relative_to(target) for target in targets), schedule


def test_services_start_once_what_they_need_is_healthy(services):
    expected = {
        "web": {"db", "redis", "elasticsearch"},
        # web is healthy only after the migrations it applies.
        "worker": {"db", "redis", "elasticsearch", "web"},
        "beat": {"db", "redis"},
        "proxy": {"web"},
    }
    for name, needs in expected.items():
        depends_on = services[name]["depends_on"]
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        assert set(depends_on) == needs, name
    for name, service in services.items():
        for dependency, options in (service.get("depends_on") or {}).items():
            assert options == {"condition": "service_healthy"}, f"{name} -> {dependency}"
            assert services[dependency].get("healthcheck"), dependency


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose["volumes"])
    assert {"postgres-data", "elasticsearch-data", "media"} <= declared
    for name, (volume, target) in NAMED_VOLUMES.items():
        assert (volume, target, False) in mounts(services[name]), name
    used = set()
    for name, service in services.items():
        for source, _target, _ro in mounts(service):
            if source.startswith((".", "/")):
                assert (DOCKER / source).exists(), f"{name}: bind mount {source} is missing"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared


def test_uploads_are_shared_by_web_worker_and_proxy(services):
    for name in ("web", "worker"):
        media_root = service_environment(services[name])["DJANGO_MEDIA_ROOT"]
        assert ("media", media_root, False) in mounts(services[name]), name
    assert ("media", "/srv/media", True) in mounts(services["proxy"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_the_settings_read_is_wired(services, name):
    provided = set(service_environment(services[name]))
    unwired = sorted(
        variable
        for variable in settings_env_names()
        if variable not in provided
        and variable not in OPTIONAL_WITH_DEFAULTS
        and variable not in MUST_STAY_UNSET
    )
    assert not unwired, (
        f"cms/settings reads {', '.join(unwired)} but docker/compose.yaml does not give "
        f"it to {name}: add it to x-app-environment (and docker/.env.example), or name "
        "it in OPTIONAL_WITH_DEFAULTS in tests/docker/test_compose.py with the reason"
    )


def test_the_allow_lists_name_variables_the_settings_read():
    read = settings_env_names()
    assert set(OPTIONAL_WITH_DEFAULTS) | set(MUST_STAY_UNSET) <= read
    assert REQUIRED_IN_PRODUCTION <= read
    # The scan finds what it should (a broken regex would find nothing).
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_HSTS_PRELOAD"} <= read
    assert settings_required_names() >= {"DJANGO_SECRET_KEY"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_values_are_given(services, name):
    environment = service_environment(services[name])
    required = REQUIRED_IN_PRODUCTION | settings_required_names()
    empty = sorted(variable for variable in required if not environment.get(variable))
    assert not empty, f"{name}: no value for {', '.join(empty)}"
    assert environment["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    for variable, why in MUST_STAY_UNSET.items():
        assert variable not in environment, f"{name} sets {variable}: {why}"


def test_containers_find_each_other_by_service_name(services):
    environment = service_environment(services["web"])
    database = urlsplit(environment["DATABASE_URL"])
    db = service_environment(services["db"])
    assert database.scheme in ("postgres", "postgresql")
    assert (database.hostname, database.port) == ("db", 5432)
    assert database.username == db["POSTGRES_USER"]
    assert database.password == db["POSTGRES_PASSWORD"]
    assert database.path == f"/{db['POSTGRES_DB']}"
    for variable in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        url = urlsplit(environment[variable])
        assert (url.scheme, url.hostname, url.port) == ("redis", "redis", 6379), variable
    # The cache and the task queue in separate Redis databases.
    assert environment["REDIS_URL"] != environment["CELERY_BROKER_URL"]
    search = urlsplit(environment["ELASTICSEARCH_URL"])
    assert (search.hostname, search.port) == ("elasticsearch", 9200)


def test_the_env_example_gives_everything_compose_asks_for_and_nothing_else():
    example = read_env_file()
    used = variables_used(load_compose())
    assert set(example) <= used, f"unused in compose.yaml: {set(example) - used}"
    resolved_compose(example)  # raises MissingVariable if a required one is absent
    # Secrets are placeholders the entrypoint refuses.
    assert "change-me" in example["DJANGO_SECRET_KEY"]
    assert "change-me" in example["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"])
def test_compose_refuses_to_start_without_a_secret(variable):
    variables = read_env_file()
    del variables[variable]
    with pytest.raises(MissingVariable, match=variable):
        resolved_compose(variables)


def test_the_real_env_file_stays_out_of_git_and_the_image():
    assert ".env" in (DOCKER / ".gitignore").read_text().split()
    assert "docker/.env" in (ROOT / ".dockerignore").read_text().split()


def _lock_version(package):
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package:
            return tuple(int(part) for part in version.split(".")[:2])
    raise AssertionError(f"{package} is not in requirements.lock")


def _image_version(image):
    tag = image.rsplit(":", 1)[1]
    return tuple(int(part) for part in re.findall(r"\d+", tag)[:2])


def test_elasticsearch_is_9_single_node_private_and_bounded(services):
    service = services["elasticsearch"]
    version = _image_version(service["image"])
    assert version[0] == 9
    # The Python client works with servers of its own minor version or newer.
    assert version >= _lock_version("elasticsearch"), (service["image"], "requirements.lock")
    environment = service_environment(service)
    assert environment["discovery.type"] == "single-node"
    assert environment["xpack.security.enabled"] == "false"
    assert "-Xmx" in environment["ES_JAVA_OPTS"]
    assert service["deploy"]["resources"]["limits"]["memory"]


def test_postgresql_and_redis_versions(services):
    assert _image_version(services["db"]["image"])[0] in (15, 16)
    assert services["redis"]["image"].startswith("redis:7")


def test_only_the_proxy_publishes_a_port(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    (port,) = services["proxy"]["ports"]
    assert port.startswith("127.0.0.1:"), "loopback by default (HTTP_BIND widens it)"


def test_the_proxy_serves_images_but_not_documents_and_forwards_the_rest(services):
    conf = (DOCKER / "nginx.conf").read_text()
    assert ("./nginx.conf", "/etc/nginx/conf.d/default.conf", True) in mounts(services["proxy"])
    assert re.search(r"location /media/documents/ \{\s*return 404;", conf)
    assert re.search(r"location /media/ \{\s*alias /srv/media/;", conf)
    web_port = command_of("web", services)[command_of("web", services).index("--bind") + 1]
    assert f"http://web:{web_port.rsplit(':', 1)[1]}" in conf
    assert "proxy_set_header Host $http_host;" in conf
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in conf
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", conf)
    assert int(limit) * 1024 * 1024 > settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    assert "/nginx-health" in services["proxy"]["healthcheck"]["test"][-1]
