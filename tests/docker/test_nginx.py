"""docker/nginx.conf and docker/nginx-trusted-proxies.sh: the proxy counts
visitors, not the load balancer.

Statically: the configuration is parsed here and checked for the real-IP
directives, the header the portal trusts and the rank API's rate limit.
Then, when Debian's nginx is installed (`make services` installs it; skipped
with the reason otherwise, failing when REQUIRE_SERVICES=1), the same file is
started in front of a stand-in for gunicorn that records what it receives:
only the proxy of the server block is pointed at the stand-in and the port
changed.
"""

import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.docker.support import DOCKER, resolved_compose
from tests.serving import free_port

NGINX_CONF = DOCKER / "nginx.conf"
TRUSTED_PROXIES_SCRIPT = DOCKER / "nginx-trusted-proxies.sh"
INCLUDED_CONF = "/etc/nginx/trusted-proxies.conf"


def parse(text):
    """nginx configuration as a list of (name, args, children or None)."""
    tokens = re.findall(r"\"[^\"]*\"|'[^']*'|[{};]|[^\s{};]+", re.sub(r"#[^\n]*", "", text))
    position = 0

    def block():
        nonlocal position
        directives, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                directives.append((words[0], words[1:], None))
                words = []
            elif token == "{":
                directives.append((words[0], words[1:], block()))
                words = []
            elif token == "}":
                return directives
            else:
                words.append(token.strip("\"'"))
        return directives

    return block()


def find(directives, name):
    return [(args, children) for directive, args, children in directives if directive == name]


@pytest.fixture(scope="module")
def config():
    return parse(NGINX_CONF.read_text())


@pytest.fixture(scope="module")
def server(config):
    ((_args, children),) = find(config, "server")
    return children


@pytest.fixture(scope="module")
def proxy_service():
    return resolved_compose()["services"]["proxy"]


def locations(server):
    return {" ".join(args): children for args, children in find(server, "location")}


def write_trusted_proxies(value, path):
    environment = {"PATH": os.environ["PATH"], "TRUSTED_PROXIES_CONF": str(path)}
    if value is not None:
        environment["NGINX_TRUSTED_PROXIES"] = value
    return subprocess.run(
        ["sh", str(TRUSTED_PROXIES_SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=10,
    )


def test_the_visitor_address_comes_from_x_forwarded_for_of_trusted_proxies(server):
    assert find(server, "include") == [([INCLUDED_CONF], None)]
    assert find(server, "real_ip_header") == [(["X-Forwarded-For"], None)]
    # Several proxies in a row (a CDN, then the load balancer): the last
    # address none of them added is the visitor's.
    assert find(server, "real_ip_recursive") == [(["on"], None)]


def test_the_portal_is_told_the_visitor_in_the_header_it_trusts(server, proxy_service):
    headers = {args[0]: args[1] for args, _ in find(server, "proxy_set_header")}
    assert headers["X-Real-IP"] == "$remote_addr"
    web = resolved_compose()["services"]["web"]["environment"]
    assert web["DJANGO_CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"
    # A location with its own proxy_set_header would drop the server's.
    for location in locations(server).values():
        assert not find(location, "proxy_set_header")


def test_every_request_to_gunicorn_passes_through_the_server_settings(server):
    proxied = {name for name, body in locations(server).items() if find(body, "proxy_pass")}
    assert proxied == {"/", "= /api/matching/rank/"}


def test_the_rank_api_is_rate_limited_per_visitor(config, server):
    ((zone_args, _),) = find(config, "limit_req_zone")
    assert zone_args[0] == "$binary_remote_addr"
    zone = next(arg.split("=")[1].split(":")[0] for arg in zone_args if arg.startswith("zone="))
    rank = locations(server)["= /api/matching/rank/"]
    ((limit, _),) = find(rank, "limit_req")
    assert f"zone={zone}" in limit
    assert find(rank, "limit_req_status") == [(["429"], None)]


def test_the_access_log_keeps_no_query_string_nor_referer(config, server):
    ((format_args, _),) = find(config, "log_format")
    name, fields = format_args[0], " ".join(format_args[1:])
    # What residents type (search words, names in the admin's ?q=) is in these.
    for variable in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
        assert variable not in f"{fields} ", variable
    assert "$logged_uri" in fields  # $uri with the token of a mailed link masked
    assert find(server, "access_log") == [(["/var/log/nginx/access.log", name], None)]


def test_compose_runs_the_script_before_nginx_starts(proxy_service):
    mounts = [entry.split(":") for entry in proxy_service["volumes"]]
    assert ["./nginx-trusted-proxies.sh", "/docker-entrypoint.d/40-trusted-proxies.sh", "ro"] in (
        mounts
    )
    # The image's entrypoint skips a script that is not executable.
    assert os.access(TRUSTED_PROXIES_SCRIPT, os.X_OK)
    mode = subprocess.run(
        ["git", "ls-files", "-s", str(TRUSTED_PROXIES_SCRIPT)],
        capture_output=True,
        text=True,
        cwd=DOCKER,
    ).stdout
    assert mode.startswith("100755") or not mode  # not yet committed: the file mode above


def test_the_default_trusts_the_private_ranges_only(proxy_service, tmp_path):
    default = proxy_service["environment"]["NGINX_TRUSTED_PROXIES"]
    result = write_trusted_proxies(default, tmp_path / "trusted.conf")
    assert result.returncode == 0, result.stderr
    trusted = find(parse((tmp_path / "trusted.conf").read_text()), "set_real_ip_from")
    assert {args[0] for args, _ in trusted} == {
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "fc00::/7",
    }


@pytest.mark.parametrize(
    ("value", "trusted"),
    [
        ("none", []),
        ("192.0.2.10, 2001:db8::/32", ["192.0.2.10", "2001:db8::/32"]),
    ],
)
def test_the_city_names_its_load_balancers(value, trusted, tmp_path):
    result = write_trusted_proxies(value, tmp_path / "trusted.conf")
    assert result.returncode == 0, result.stderr
    written = find(parse((tmp_path / "trusted.conf").read_text()), "set_real_ip_from")
    assert [args[0] for args, _ in written] == trusted


@pytest.mark.parametrize("value", [None, "10.0.0.0/8; deny all", "lb.example.jp"])
def test_a_missing_or_malformed_entry_stops_the_proxy(value, tmp_path):
    result = write_trusted_proxies(value, tmp_path / "trusted.conf")
    assert result.returncode != 0
    assert "NGINX_TRUSTED_PROXIES" in result.stderr
    # Nothing written: nginx refuses to start on the missing include.
    assert not (tmp_path / "trusted.conf").exists()


# --- The configuration running in Debian's nginx ---------------------------


@pytest.fixture(scope="module")
def nginx_binary():
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if binary is None:
        reason = "needs nginx: apt-get install nginx-light (make services installs it)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="module")
def gunicorn_stand_in():
    """Records the X-Real-IP of each request and answers 200."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.append(self.headers.get("X-Real-IP"))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    stand_in = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.seen = seen
    threading.Thread(target=stand_in.serve_forever, daemon=True).start()
    yield stand_in
    stand_in.shutdown()
    stand_in.server_close()


def start_nginx(binary, directory, backend_port, trusted):
    """docker/nginx.conf on a free port, proxying to the stand-in."""
    assert write_trusted_proxies(trusted, directory / "trusted.conf").returncode == 0
    text = NGINX_CONF.read_text()
    port = free_port()
    text = text.replace(INCLUDED_CONF, str(directory / "trusted.conf"))
    text = text.replace("http://web:8000", f"http://127.0.0.1:{backend_port}")
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    text = text.replace("/var/log/nginx/access.log", str(directory / "access.log"))
    (directory / "default.conf").write_text(text)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / temp).mkdir(exist_ok=True)
    (directory / "nginx.conf").write_text(
        f"""daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/default.conf;
}}
"""
    )
    command = [binary, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", "stderr"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=20)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nginx-health", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")


@pytest.fixture
def nginx(nginx_binary, gunicorn_stand_in, tmp_path):
    started = []

    def run(trusted):
        process, port = start_nginx(
            nginx_binary, tmp_path, gunicorn_stand_in.server_address[1], trusted
        )
        started.append(process)
        return port

    yield run
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def request(port, path="/", forwarded_for=None, real_ip=None, method="GET"):
    headers = {}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    if real_ip:
        headers["X-Real-IP"] = real_ip
    data = b"{}" if method == "POST" else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_behind_a_trusted_load_balancer_the_portal_sees_the_visitor(nginx, gunicorn_stand_in):
    port = nginx("127.0.0.1")  # the test connects as the load balancer would
    gunicorn_stand_in.seen.clear()
    # The visitor forged the first entry; the load balancer appended the
    # address it saw.
    assert request(port, forwarded_for="127.0.0.1, 198.51.100.23", real_ip="10.0.0.1") == 200
    assert gunicorn_stand_in.seen == ["198.51.100.23"]


def test_from_an_untrusted_peer_forwarded_headers_are_ignored(nginx, gunicorn_stand_in):
    port = nginx("192.0.2.1")  # some other load balancer: this client is not it
    gunicorn_stand_in.seen.clear()
    assert request(port, forwarded_for="198.51.100.23", real_ip="198.51.100.23") == 200
    assert gunicorn_stand_in.seen == ["127.0.0.1"]


def test_one_visitor_flooding_the_rank_api_gets_429_and_others_do_not(nginx):
    port = nginx("127.0.0.1")
    path = "/api/matching/rank/"
    flood = [request(port, path, forwarded_for="198.51.100.23", method="POST") for _ in range(30)]
    assert 429 in flood and flood[0] == 200
    # Another resident behind the same load balancer is not affected.
    assert request(port, path, forwarded_for="198.51.100.99", method="POST") == 200


def access_log(path, lines):
    """The access log once it holds `lines` lines: nginx writes a request's line
    after the response has gone out."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if text.count("\n") >= lines:
            return text
        time.sleep(0.05)
    pytest.fail(f"nginx logged {text.count(chr(10))} of {lines} requests: {text!r}")


def test_what_a_resident_searched_for_is_not_in_the_access_log(nginx, tmp_path):
    port = nginx("127.0.0.1")
    assert request(port, "/search/?query=hanako%40example.jp", forwarded_for="198.51.100.7") == 200
    log = access_log(tmp_path / "access.log", 1)
    assert "/search/" in log and "198.51.100.7" in log
    assert "hanako" not in log and "query=" not in log


def test_the_token_of_a_residents_link_is_not_in_the_access_log(nginx, tmp_path):
    port = nginx("127.0.0.1")
    token = "Xq3_vR8kLm2pZt5wYc9dNf1hJb4sGa7eUo6iQx0yTl"
    for path in (f"/matching/my-data/{token}/", f"/matching/interest/confirm/{token}/"):
        assert request(port, path) == 200
    log = access_log(tmp_path / "access.log", 2)
    assert token not in log
    assert "/matching/my-data/[token]/" in log and "/matching/interest/confirm/[token]/" in log
