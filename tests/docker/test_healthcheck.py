"""docker/healthcheck.py against a stand-in server.

No Docker engine runs on these machines; the script is run as the image's
HEALTHCHECK runs it, against a small HTTP server here that records what it
was asked and answers as told. test_processes.py runs it against gunicorn.
"""

import importlib.util
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.docker.support import HEALTHCHECK
from tests.serving import free_port

spec = importlib.util.spec_from_file_location("docker_healthcheck", HEALTHCHECK)
docker_healthcheck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docker_healthcheck)


@pytest.fixture
def stand_in():
    """An HTTP server on a free port answering with `server.status`."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append((self.path, dict(self.headers)))
            body = b'{"status": "error", "checks": {"broker": {"ok": false}}}'
            self.send_response(server.status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    server.requests = requests
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run(port, allowed_hosts="civic.musashino.example,www.civic.musashino.example"):
    env = {
        "HEALTHCHECK_PORT": str(port),
        "HEALTHCHECK_TIMEOUT": "3",
        "DJANGO_ALLOWED_HOSTS": allowed_hosts,
    }
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, text=True, timeout=30
    )


def test_healthy_when_healthz_answers_200_asked_as_the_proxy_asks(stand_in):
    result = run(stand_in.server_address[1])
    assert result.returncode == 0, result.stderr
    ((path, headers),) = stand_in.requests
    assert path == "/healthz/"
    assert headers["Host"] == "civic.musashino.example"
    assert headers["X-Forwarded-Proto"] == "https"


def test_unhealthy_on_503_with_the_reason(stand_in):
    stand_in.status = 503
    result = run(stand_in.server_address[1])
    assert result.returncode == 1
    assert "503" in result.stderr and "broker" in result.stderr


def test_unhealthy_on_a_redirect(stand_in):
    stand_in.status = 301
    assert run(stand_in.server_address[1]).returncode == 1


def test_unhealthy_when_nothing_listens():
    result = run(free_port())
    assert result.returncode == 1
    assert "did not answer" in result.stderr


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("civic.musashino.example", "civic.musashino.example"),
        (" *, civic.musashino.example", "civic.musashino.example"),
        (".musashino.example", "musashino.example"),
        ("*", "localhost"),
        ("", "localhost"),
        (None, "localhost"),
    ],
)
def test_asks_with_an_allowed_host(allowed_hosts, host):
    assert docker_healthcheck.probe_host(allowed_hosts) == host
