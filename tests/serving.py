"""Serving the site from a real server process for tests that need one
(tests/browser, tests/services/test_faults.py): free ports, waiting for the
server, the database it runs on, and the e-mail it sent."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The served sites of the browser and fault tests search their own database:
# an OPENSEARCH_URL set for the engine tests must not point them at indices
# that other tests fill (tests/search/test_engine.py covers the engine).
SEARCH_ENGINE_VARIABLES = ("OPENSEARCH_URL", "ELASTICSEARCH_URL")


def process_environment(**overrides):
    """This process's environment for a served site, without the engine's URL."""
    env = {k: v for k, v in os.environ.items() if k not in SEARCH_ENGINE_VARIABLES}
    env.update(overrides)
    return env


def postgres(statement):
    """Run one statement on the server DATABASE_URL names (its `postgres` database)."""
    import psycopg

    admin = urlsplit(os.environ["DATABASE_URL"])._replace(scheme="postgresql", path="/postgres")
    with psycopg.connect(admin.geturl(), autocommit=True) as conn:
        conn.execute(statement)


def manage(env, *args, timeout=300):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2):
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class Site:
    """The served site: its URL, its environment and the e-mail it sent."""

    def __init__(self, url, env, mail_dir):
        self.url = url
        self.env = env
        self.mail_dir = mail_dir

    def __call__(self, path):
        return self.url + path

    def manage(self, *args):
        """Run a management command against the served site's database."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout

    def mails(self):
        """Every e-mail sent so far, as text (the file backend's messages)."""
        if not self.mail_dir.exists():
            return []
        texts = []
        for path in sorted(self.mail_dir.iterdir()):
            import email
            from email import policy

            raw = path.read_bytes()
            for chunk in raw.split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk, policy=policy.default)
                    body = message.get_body(("plain",))
                    texts.append(
                        {
                            "to": str(message["To"]),
                            "subject": str(message["Subject"]),
                            "body": body.get_content() if body else "",
                            "attachments": [
                                part.get_content_type() for part in message.iter_attachments()
                            ],
                        }
                    )
        return texts

    def wait_for_mail(self, predicate, seconds=30):
        """The first e-mail for which predicate(mail) holds; the worker may be slower."""
        deadline = time.monotonic() + seconds
        while True:
            found = [mail for mail in self.mails() if predicate(mail)]
            if found or time.monotonic() > deadline:
                return found[0] if found else None
            time.sleep(0.25)


def start(command, env, log):
    """A server or worker process from the project folder, logging to `log`."""
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def celery_worker(name):
    """The command of a one-process Celery worker named for this test run."""
    return [sys.executable, "-m", "celery", "-A", "cms", "worker", "--pool=solo"] + [
        "--loglevel=WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}-{os.getpid()}@%h",
    ]


def stop(processes):
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
