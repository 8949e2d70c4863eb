"""docker/compose.yaml, checked statically.

No Docker engine runs on these machines, so nothing here calls `docker
compose`: the file is parsed (PyYAML), interpolated
with docker/.env.example as compose does with `--env-file`, and checked for
services, commands, healthcheck wiring, start order and volumes, and for
the environment: every variable that cms/settings/base.py and production.py
read is either given to web, worker and beat or named below as optional.

The search engine is chosen by COMPOSE_PROFILES (`opensearch`, the
default, or `elasticsearch`): the tests of the running set run once for
each, on the services that profile enables.
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
    SEARCH_ENGINES,
    MissingVariable,
    dependency_problems,
    enabled_services,
    env_file_paths,
    exec_form,
    load_compose,
    profile_variables,
    read_env_file,
    resolved_compose,
    service_environment,
    settings_env_names,
    settings_required_names,
    stages,
    variables_used,
)

# Always running; one search engine joins them (SEARCH_ENGINES).
SERVICES = {"web", "worker", "beat", "db", "redis", "proxy"}

# Read by the settings and deliberately not given by compose: the default in
# settings is the right value for these containers.
OPTIONAL_WITH_DEFAULTS = {
    "DJANGO_EMAIL_FILE_PATH": "only for Django's file-based e-mail backend",
    "ELASTICSEARCH_INDEX_PREFIX": (
        "the old name of SEARCH_INDEX_PREFIX, read only when that is unset; compose sets it"
    ),
    "SEARCH_TIMEOUT": "the settings' default suits an engine on the same host",
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
# e-mail, uploads outside the media volume, links to 127.0.0.1. The search
# engine's URL is required too: SEARCH_ENGINES names its variable.
REQUIRED_IN_PRODUCTION = {
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
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
    "redis": ("redis-data", "/data"),
    "beat": ("beat-schedule", "/var/lib/musashino"),
}


@pytest.fixture(scope="module", params=sorted(SEARCH_ENGINES))
def profile(request):
    """COMPOSE_PROFILES: the search engine this run of the module starts."""
    return request.param


@pytest.fixture(scope="module")
def compose(profile):
    return resolved_compose(profile_variables(profile))


@pytest.fixture(scope="module")
def services(compose, profile):
    """The services `docker compose up` starts with this profile."""
    return enabled_services(compose, [profile])


@pytest.fixture(scope="module")
def every_service():
    """All services defined, whichever profile (as .env.example resolves them)."""
    return resolved_compose()["services"]


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


def test_each_profile_runs_the_portal_and_one_search_engine(services, profile):
    assert set(services) == SERVICES | {profile}


def test_the_profiles_are_the_search_engines_and_nothing_else(every_service):
    profiled = {
        name: service["profiles"]
        for name, service in every_service.items()
        if "profiles" in service
    }
    assert profiled == {engine: [engine] for engine in SEARCH_ENGINES}


def test_compose_accepts_each_profiles_project(compose, profile):
    assert dependency_problems(compose, [profile]) == []
    # Without required: false the other engine's absence would be an error.
    assert dependency_problems(compose, []) == []


def test_every_service_has_a_healthcheck(services):
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable")
        test = healthcheck["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1
        assert {"interval", "timeout", "retries"} <= set(healthcheck)


def test_each_healthcheck_asks_its_own_process(services, profile):
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
    engine = services[profile]["healthcheck"]["test"][1]
    assert "curl -fsS 'http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow" in engine


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


def test_services_start_once_what_they_need_is_healthy(services, profile):
    engines = set(SEARCH_ENGINES)
    expected = {
        "web": {"db", "redis"} | engines,
        # web is healthy only after the migrations it applies.
        "worker": {"db", "redis", "web"} | engines,
        "beat": {"db", "redis"} | engines,
        "proxy": {"web"},
    }
    for name, needs in expected.items():
        depends_on = services[name]["depends_on"]
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        assert set(depends_on) == needs, name
    for name, service in services.items():
        for dependency, options in (service.get("depends_on") or {}).items():
            if dependency in engines:
                # Waited for when its profile runs it, skipped otherwise.
                wanted = {"condition": "service_healthy", "required": False}
            else:
                wanted = {"condition": "service_healthy"}
            assert options == wanted, f"{name} -> {dependency}"
            if dependency in services:
                assert services[dependency].get("healthcheck"), dependency
    # The engine that runs is one of the dependencies waited for.
    assert all(profile in services[name]["depends_on"] for name in APP_SERVICES)


def test_data_lives_in_named_volumes(compose, services, profile):
    declared = set(compose["volumes"])
    assert {"postgres-data", "opensearch-data", "elasticsearch-data", "media"} <= declared
    named = {**NAMED_VOLUMES, profile: SEARCH_ENGINES[profile]["volume"]}
    for name, (volume, target) in named.items():
        assert (volume, target, False) in mounts(services[name]), name
    used = set()
    for name, service in compose["services"].items():
        for source, _target, _ro in mounts(service):
            if source.startswith((".", "/")):
                assert (DOCKER / source).exists(), f"{name}: bind mount {source} is missing"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared
    # Switching engines keeps the other one's index: it is another volume.
    other = {engine["volume"][0] for name, engine in SEARCH_ENGINES.items() if name != profile}
    assert not other & {source for service in services.values() for source, _, _ in mounts(service)}


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
def test_production_values_are_given(services, profile, name):
    environment = service_environment(services[name])
    required = (
        REQUIRED_IN_PRODUCTION
        | settings_required_names()
        | {SEARCH_ENGINES[profile]["url_variable"], "SEARCH_INDEX_PREFIX"}
    )
    empty = sorted(variable for variable in required if not environment.get(variable))
    assert not empty, f"{name}: no value for {', '.join(empty)}"
    assert environment["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    for variable, why in MUST_STAY_UNSET.items():
        assert variable not in environment, f"{name} sets {variable}: {why}"


def test_containers_find_each_other_by_service_name(services, profile):
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
    search = urlsplit(environment[SEARCH_ENGINES[profile]["url_variable"]])
    assert (search.scheme, search.hostname, search.port) == ("http", profile, 9200)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_gets_the_url_of_the_engine_that_runs_and_no_other(services, profile, name):
    environment = service_environment(services[name])
    for engine, details in SEARCH_ENGINES.items():
        if engine == profile:
            assert environment[details["url_variable"]], name
        else:
            # Present and empty: the settings fall back to nothing, not to a
            # URL left in docker/.env.
            assert environment[details["url_variable"]] == "", (name, engine)


def test_one_env_file_per_engine_gives_both_url_variables():
    directory = DOCKER / "search-engine"
    assert {path.stem for path in directory.glob("*.env")} == set(SEARCH_ENGINES)
    url_variables = {details["url_variable"] for details in SEARCH_ENGINES.values()}
    for engine in SEARCH_ENGINES:
        assert set(read_env_file(directory / f"{engine}.env")) == url_variables, engine
    # The wiring is the same for web, worker and beat: the x-app anchor.
    paths = {str(env_file_paths(load_compose()["services"][name])) for name in APP_SERVICES}
    assert len(paths) == 1


def test_compose_refuses_to_start_without_a_search_engine():
    variables = read_env_file()
    del variables["COMPOSE_PROFILES"]
    with pytest.raises(MissingVariable, match="COMPOSE_PROFILES=opensearch or elasticsearch"):
        resolved_compose(variables)


@pytest.mark.parametrize("value", ["opensearch,elasticsearch", "OpenSearch", "solr"])
def test_anything_but_one_engine_names_an_env_file_that_does_not_exist(value):
    # compose stops with "env file … not found" before it starts anything.
    web = resolved_compose({**read_env_file(), "COMPOSE_PROFILES": value})["services"]["web"]
    assert not any(path.exists() for path in env_file_paths(web))


def test_production_defaults_to_opensearch():
    assert read_env_file()["COMPOSE_PROFILES"] == "opensearch"


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


def _bytes(size):
    number, unit = re.fullmatch(r"(\d+)([kmg])", size.lower()).groups()
    return int(number) * 1024 ** "kmg".index(unit) * 1024


def _heap(java_options):
    """-Xms and -Xmx of a JVM option string, in bytes."""
    (minimum,) = re.findall(r"-Xms(\S+)", java_options)
    (maximum,) = re.findall(r"-Xmx(\S+)", java_options)
    return _bytes(minimum), _bytes(maximum)


def _local_node_version():
    """The OpenSearch version `make opensearch` runs (docker/opensearch/pom.xml)."""
    pom = (DOCKER / "opensearch" / "pom.xml").read_text()
    return re.search(r"<opensearch\.version>([^<]+)</opensearch\.version>", pom).group(1)


@pytest.mark.parametrize(
    ("engine", "heap_variable"),
    [("opensearch", "OPENSEARCH_JAVA_OPTS"), ("elasticsearch", "ES_JAVA_OPTS")],
)
def test_each_engine_is_one_private_node_with_a_locked_bounded_heap(
    every_service, engine, heap_variable
):
    service = every_service[engine]
    environment = service_environment(service)
    assert environment["discovery.type"] == "single-node"
    assert environment["bootstrap.memory_lock"] == "true"
    assert service["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
    assert service["ulimits"]["nofile"]["soft"] >= 65535
    minimum, maximum = _heap(environment[heap_variable])
    assert minimum == maximum, "a fixed heap: the JVM never resizes it"
    # The container's limit leaves room beside the heap (Lucene's file cache).
    limit = _bytes(service["deploy"]["resources"]["limits"]["memory"])
    assert limit >= 2 * maximum
    assert not service.get("ports"), "reachable only on compose's network"


def test_opensearch_is_2_19_without_the_security_plugin(every_service):
    service = every_service["opensearch"]
    image, _, tag = service["image"].rpartition(":")
    assert image == "opensearchproject/opensearch"
    assert _image_version(service["image"]) == (2, 19)
    # The node the tests run on here is the same release.
    assert tag == _local_node_version()
    environment = service_environment(service)
    assert environment["DISABLE_SECURITY_PLUGIN"] == "true"
    assert environment["DISABLE_INSTALL_DEMO_CONFIG"] == "true"
    assert not any(key.startswith("xpack.") for key in environment), (
        "OpenSearch refuses x-pack settings"
    )


def test_elasticsearch_is_9_without_security(every_service):
    service = every_service["elasticsearch"]
    version = _image_version(service["image"])
    assert version[0] == 9
    # The Python client works with servers of its own minor version or newer.
    assert version >= _lock_version("elasticsearch"), (service["image"], "requirements.lock")
    environment = service_environment(service)
    assert environment["xpack.security.enabled"] == "false"


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
