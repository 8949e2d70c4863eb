"""Load benchmark: the real site under gunicorn on loopback with PostgreSQL and
Redis, driven by locust as residents browse, search and ask for matches;
20 concurrent users beside 1 user (the baseline), in one run.

    python -m bench.load                                # 30 s at 1 user, 60 s at 20
    python -m bench.load --users 20 --duration 120 --think 1-3

A fresh PostgreSQL database (musashino_load_<pid>) gets the migrations, the
demo content and the sample civic data (matching/samples/civic_data.json),
with Celery tasks inline so the search index is built. The site is then
served as in production (docker/Dockerfile): cms.settings.production,
gunicorn's sync workers with the image's options (--workers, default 3 as
WEB_CONCURRENCY in docker/.env.example: about two per core on 2 cores, since
requests are CPU-bound Python and a third worker covers the time one waits on
PostgreSQL), persistent database connections, the cache and broker on Redis
(database 3, emptied before and after), static files collected and served by
WhiteNoise from their manifest.

Locust (bench/locustfile.py, one process, FastHttpUser) first warms the
workers up (not reported), then runs at 1 user and at N users for a fixed
time each. Each user sends its next request as soon as the last is answered
unless --think gives a think time, so "20 users" means 20 requests in flight;
the baseline never thinks (one request at a time: the unloaded latency).
Per endpoint group it prints requests, failures, requests/s, median and p95
(locust's percentiles: 2 significant digits above 100 ms), the ratio of p95
under load to p95 for one user, and whether p95 is within the target; then
the CPU each part used (gunicorn, PostgreSQL, Redis, locust itself, anything
else on the machine: the load generator shares the 2 cores with the site).
Exits 1 if any request failed; the database and server are removed whatever
happens.
"""

import argparse
import csv
import datetime
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/3")
# gunicorn as docker/Dockerfile runs it (the bind and worker count aside).
GUNICORN_OPTIONS = [
    "--timeout=60",
    "--graceful-timeout=30",
    "--max-requests=1000",
    "--max-requests-jitter=100",
    "--worker-tmp-dir=/dev/shm",
]
GROUP_ORDER = [
    "home",
    "activity listing",
    "activity page",
    "group listing",
    "group page",
    "opportunity page",
    "search",
    "matching page (ranking)",
    "rank API (JSON)",
]


def log(message):
    print(f"… {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres(statement):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchone() if cursor.description else None


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


# -- the site ----------------------------------------------------------------


def site_environment(database_url, workdir):
    """Production settings from the environment, as docker/.env.example gives them."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "CELERY_", "ELASTICSEARCH_", "REDIS_"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }


def manage(env, *args):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, what):
    _out, err = process.communicate()
    if process.returncode:
        sys.stderr.write(err[-3000:])
        raise RuntimeError(f"{what} failed ({process.returncode})")


def build_site(env):
    """Migrate and load the content (tasks inline: indexed at once); collect static meanwhile."""
    static = manage(env, "collectstatic", "--noinput")
    inline = env | {"REDIS_URL": "", "CELERY_BROKER_URL": ""}
    try:
        for command in (
            ["migrate", "--noinput"],
            ["load_demo_content"],
            ["import_civic_data", "matching/samples/civic_data.json"],
        ):
            log(f"manage.py {' '.join(command)}")
            finish(manage(inline, *command), command[0])
    except BaseException:
        static.kill()
        static.wait()
        raise
    finish(static, "collectstatic")


def wait_healthy(url, server, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        with suppress(OSError), urllib.request.urlopen(url + "/healthz/", timeout=5) as response:
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url}/healthz/ did not answer 200 within {seconds} s")


@contextmanager
def served_site(workers, threads, workdir):
    """A new database with the content, served by gunicorn; all removed afterwards."""
    database = f"musashino_load_{os.getpid()}"
    database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    env = site_environment(database_url, workdir)
    server = None
    server_log = workdir / "gunicorn.log"
    postgres(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    postgres(f"CREATE DATABASE {database}")
    try:
        build_site(env)
        flush_redis()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log(f"gunicorn, {workers} workers × {threads} thread(s), on {url}")
        with open(server_log, "w") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "cms.wsgi", f"--bind=127.0.0.1:{port}"]
                + [f"--workers={workers}", f"--threads={threads}", *GUNICORN_OPTIONS]
                + ["--access-logfile=-"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_healthy(url, server)
        yield url, server, server_log
    except Exception:
        if server_log.exists():  # what the server said, without its access log
            lines = server_log.read_text(errors="replace").splitlines()
            said = [line for line in lines if not line.startswith("127.0.0.1 - ")]
            sys.stderr.write("\n".join(said[-40:]) + "\n")
        raise
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=35)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        with suppress(Exception):
            flush_redis()
        postgres(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        log(f"stopped gunicorn, dropped {database}")


def worker_boots(server_log):
    """Workers gunicorn started so far (--max-requests restarts them as in production)."""
    return server_log.read_text(errors="replace").count("Booting worker with pid")


# -- CPU accounting ------------------------------------------------------------


def _tree_seconds(process, psutil):
    """CPU seconds of a process, its reaped children and its live children."""
    try:
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            with suppress(psutil.Error):
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
        return total
    except psutil.Error:
        return 0.0


def cpu_snapshot(server):
    import psutil

    machine = psutil.cpu_times()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    snapshot = {
        # Not idle, not waiting for the disk, not taken by the hypervisor (steal).
        "busy": sum(machine)
        - machine.idle
        - getattr(machine, "iowait", 0.0)
        - getattr(machine, "steal", 0.0)
        - getattr(machine, "guest", 0.0)
        - getattr(machine, "guest_nice", 0.0),
        "gunicorn": _tree_seconds(psutil.Process(server.pid), psutil),
        "PostgreSQL": 0.0,
        "Redis": 0.0,
        # This process's finished children: locust, once each run has ended.
        "locust": children.ru_utime + children.ru_stime,
        "wall": time.monotonic(),
    }
    names = {process.pid: process.info["name"] or "" for process in psutil.process_iter(["name"])}
    for process in psutil.process_iter(["name", "ppid"]):
        name = process.info["name"] or ""
        parent = names.get(process.info["ppid"], "")
        if name.startswith("postgres") and not parent.startswith("postgres"):  # the postmaster
            snapshot["PostgreSQL"] += _tree_seconds(process, psutil)
        elif name.startswith("redis-server"):
            snapshot["Redis"] += _tree_seconds(process, psutil)
    return snapshot


def cpu_use(before, after):
    """Average cores busy over the interval, by whom."""
    wall = after["wall"] - before["wall"]
    use = {key: (after[key] - before[key]) / wall for key in before if key != "wall"}
    known = sum(value for key, value in use.items() if key != "busy")
    use["other"] = max(0.0, use["busy"] - known)
    return use


# -- locust --------------------------------------------------------------------


def number(text):
    """A locust CSV figure; "N/A" (no requests) as 0."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def run_locust(url, users, seconds, think, workdir, label, server):
    prefix = workdir / label
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", url]
    command += ["--csv", str(prefix), "--reset-stats", "--only-summary", "--stop-timeout", "30"]
    env = os.environ | {"BENCH_THINK": think}
    before = cpu_snapshot(server)
    with open(workdir / f"{label}.log", "w") as output:
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    after = cpu_snapshot(server)
    if not Path(f"{prefix}_stats.csv").exists():
        sys.stderr.write((workdir / f"{label}.log").read_text()[-3000:])
        raise RuntimeError(f"locust ({label}) exited with {result.returncode} and no statistics")
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as file:
        for row in csv.DictReader(file):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "median": number(row["50%"]),
                "p95": number(row["95%"]),
                "max": float(row["Max Response Time"]),
            }
    with open(f"{prefix}_failures.csv", newline="") as file:
        failures = [
            f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(file)
        ]
    if not stats.get("Aggregated", {}).get("requests"):
        sys.stderr.write((workdir / f"{label}.log").read_text()[-3000:])
        raise RuntimeError(f"locust ({label}) sent no request")
    return {
        "stats": stats,
        "failures": failures,
        "cpu": cpu_use(before, after),
        "exit_code": result.returncode,
    }


# -- the report ----------------------------------------------------------------


def versions():
    # Not imported: importing locust monkey-patches this process (gevent).
    from importlib.metadata import version

    postgres_version = postgres("SELECT current_setting('server_version')")[0]
    return (
        f"Python {platform.python_version()}, PostgreSQL {postgres_version.split()[0]}, "
        f"gunicorn {version('gunicorn')}, locust {version('locust')}"
    )


def server_kind(args):
    if args.threads > 1:
        return f"{args.workers} gthread workers × {args.threads} threads"
    return f"{args.workers} sync workers"


def ratio(value, base):
    return f"{value / base:.2f}×" if base else "–"


def print_report(args, baseline, loaded):
    users = args.users
    think = "none" if args.think in ("0", "") else f"{args.think} s (not at 1 user)"
    print(
        f"\nLoad: {datetime.date.today()} · {os.cpu_count()} CPUs · {versions()} · "
        f"{server_kind(args)} · 1 user for {args.baseline_duration} s (baseline), "
        f"{users} users for {args.duration} s · think time {think}\n"
    )
    print(
        f"| endpoint group | 1 user: req/s | median ms | p95 ms | {users} users: requests "
        f"| failures | req/s | median ms | p95 ms | p95 vs 1 user | p95 ≤ {args.target_ms:g} ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |")
    names = [name for name in GROUP_ORDER if name in loaded["stats"]]
    names += sorted(set(loaded["stats"]) - set(names) - {"Aggregated"}) + ["Aggregated"]
    for name in names:
        low = baseline["stats"].get(name, {"rps": 0, "median": 0, "p95": 0})
        high = loaded["stats"][name]
        label = "**all requests**" if name == "Aggregated" else name
        print(
            f"| {label} | {low['rps']:.1f} | {low['median']:.0f} | {low['p95']:.0f} "
            f"| {high['requests']} | {high['failures']} | {high['rps']:.1f} "
            f"| {high['median']:.0f} | {high['p95']:.0f} | {ratio(high['p95'], low['p95'])} "
            f"| {'yes' if high['p95'] <= args.target_ms else 'no'} |"
        )
    total_low, total_high = baseline["stats"]["Aggregated"], loaded["stats"]["Aggregated"]
    print(
        f"\nThroughput {total_high['rps']:.1f} req/s at {users} users vs "
        f"{total_low['rps']:.1f} at 1 user ({ratio(total_high['rps'], total_low['rps'])}); "
        f"p95 {total_high['p95']:.0f} ms vs {total_low['p95']:.0f} ms "
        f"({ratio(total_high['p95'], total_low['p95'])})."
    )
    print("\nCPU, average cores busy (of " + f"{os.cpu_count()}):\n")
    print("| phase | gunicorn | PostgreSQL | Redis | locust | other | machine |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, phase in (("1 user", baseline), (f"{users} users", loaded)):
        cpu = phase["cpu"]
        print(
            f"| {label} | {cpu['gunicorn']:.2f} | {cpu['PostgreSQL']:.2f} | {cpu['Redis']:.2f} "
            f"| {cpu['locust']:.2f} | {cpu['other']:.2f} | {cpu['busy']:.2f} |"
        )
    restarts = baseline["restarts"] + loaded["restarts"]
    if restarts:
        print(
            f"\ngunicorn restarted {restarts} worker(s) during the measured runs "
            "(--max-requests, as in production)."
        )
    failures = total_low["failures"] + total_high["failures"]
    met = total_high["p95"] <= args.target_ms
    print(
        f"\nTarget p95 ≤ {args.target_ms:g} ms at {users} users: "
        f"{'met' if met else 'NOT met'} ({total_high['p95']:.0f} ms); "
        f"failed requests: {failures}."
    )
    if loaded["cpu"]["other"] > 0.25:
        print(
            f"Note: other processes used {loaded['cpu']['other']:.2f} cores during the "
            f"{users}-user run; the numbers are lower than on a quiet machine."
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 20)))
    parser.add_argument(
        "--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 60)), help="seconds"
    )
    parser.add_argument(
        "--baseline-duration",
        type=int,
        default=int(os.environ.get("BENCH_BASELINE_DURATION", 30)),
        help="seconds at 1 user",
    )
    parser.add_argument("--warmup", type=int, default=10, help="seconds, not reported")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    parser.add_argument(
        "--threads", type=int, default=1, help="per worker; above 1 gunicorn uses gthread workers"
    )
    parser.add_argument(
        "--think", default=os.environ.get("BENCH_THINK", "0"), help='seconds, "0" or a range "1-3"'
    )
    parser.add_argument("--target-ms", type=float, default=200.0)
    args = parser.parse_args()
    if min(args.users, args.duration, args.baseline_duration, args.workers, args.threads) < 1:
        parser.error("--users, --duration, --baseline-duration, --workers, --threads: at least 1")

    # A stop (Ctrl-C, a CI timeout) still stops the server and drops the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="musashino-load-"))
    try:
        with served_site(args.workers, args.threads, workdir) as (url, server, server_log):
            phases = {}
            # The baseline has no think time: one request at a time, the unloaded latency.
            for label, users, seconds, think in (
                ("warmup", args.workers, args.warmup, "0"),
                ("baseline", 1, args.baseline_duration, "0"),
                ("load", args.users, args.duration, args.think),
            ):
                if seconds <= 0:
                    continue
                log(f"{label}: {users} user(s) for {seconds} s")
                booted = worker_boots(server_log)
                phases[label] = run_locust(url, users, seconds, think, workdir, label, server)
                phases[label]["restarts"] = worker_boots(server_log) - booted
                for failure in phases[label]["failures"]:
                    print(f"FAILED ({label}): {failure}", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_report(args, phases["baseline"], phases["load"])
    failed = [phase["stats"]["Aggregated"]["failures"] for phase in phases.values()]
    if any(failed) or any(phase["failures"] or phase["exit_code"] for phase in phases.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
