"""Container healthcheck for the web server: does gunicorn answer /healthz/ with 200?

Run by the image's HEALTHCHECK and by the web service in docker/compose.yaml;
standard library only (the slim image has no curl). Exit status 0 is
healthy, 1 unhealthy; the reason goes to stderr, where `docker inspect` shows
it.

The request is made the way the city's proxy makes it: with a Host that
production settings allow (the first name in DJANGO_ALLOWED_HOSTS) and
X-Forwarded-Proto: https. Without them Django answers 400 (unknown host) or
301 (redirect to HTTPS), and a healthy server would look broken.
"""

import http.client
import os
import sys

HEALTH_PATH = "/healthz/"


def probe_host(allowed_hosts):
    """The Host header to send: the first usable name in DJANGO_ALLOWED_HOSTS."""
    for name in (allowed_hosts or "").split(","):
        name = name.strip()
        if name and name != "*":
            # ".example.jp" allows example.jp and its subdomains.
            return name.lstrip(".")
    return "localhost"


def check(port, host, timeout):
    """None when /healthz/ answers 200 on this port, otherwise why not."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", HEALTH_PATH, headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read(2000).decode("utf-8", "replace")
    except OSError as error:
        return f"{HEALTH_PATH} did not answer on port {port}: {error}"
    finally:
        connection.close()
    if response.status != 200:
        return f"{HEALTH_PATH} answered {response.status}: {body}"
    return None


def main():
    problem = check(
        port=int(os.environ.get("HEALTHCHECK_PORT", "8000")),
        host=probe_host(os.environ.get("DJANGO_ALLOWED_HOSTS")),
        timeout=float(os.environ.get("HEALTHCHECK_TIMEOUT", "8")),
    )
    if problem:
        sys.stderr.write(f"unhealthy: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
