"""Starts the site as production runs it, on loopback only, for the benchmark
and the Lighthouse audit: DEBUG=0, gunicorn, a fresh SQLite database and
collected static files in a temporary folder that is removed afterwards."""

import contextlib
import dataclasses
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GUNICORN_CONFIG = PROJECT / "deploy" / "gunicorn.conf.py"


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_env(folder, page_cache=True):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SQLITE_PATH": str(folder / "db.sqlite3"),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
        "BENCHMARK_BASELINE": "1",
        "PAGE_CACHE": "1" if page_cache else "0",
        # Read by the consultations app: lets the benchmark post the form at
        # once instead of waiting out the anti-spam minimum fill time.
        "CONSULTATION_MIN_FILL_SECONDS": "0",
        # One load generator on one address sends every request: the form's
        # per-client rate limit would otherwise answer 429 after a few.
        "CONSULTATION_RATE_LIMIT": "100000000/h",
        # Plain HTTP on loopback: no redirect to HTTPS (a proxy does TLS in production).
        "SECURE_SSL_REDIRECT": "0",
        # The patient's acknowledgement is sent, in memory, on every POST.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True, timeout=300
    )


@dataclasses.dataclass
class Server:
    url: str
    pid: int
    env: dict

    def stored_consultation_requests(self):
        """How many consultation requests the server's database holds."""
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from consultations.models import ConsultationRequest as R; "
                "print(R.objects.count())",
            ],
            cwd=PROJECT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return int(result.stdout.split()[-1])


@contextlib.contextmanager
def production_server(stretches=0, keywords=0, workers=None, page_cache=True, clinicians=0):
    """Yields a running production server (its URL, its master's pid), with the clinic's
    article and, if asked, `stretches` more sample stretches, `keywords`
    more keywords and a practice of `clinicians` clinicians who take
    bookings (bench/sample_practice.py). Stops the server and removes its
    files on exit."""
    with tempfile.TemporaryDirectory(prefix="clinic-bench-") as folder:
        env = production_env(Path(folder), page_cache=page_cache)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        if stretches:
            manage(
                env, "add_sample_stretches", f"--stretches={stretches}", f"--keywords={keywords}"
            )
        if clinicians:
            subprocess.run(
                [sys.executable, "-m", "bench.sample_practice", str(clinicians)],
                cwd=PROJECT,
                env=env | {"DJANGO_SETTINGS_MODULE": "clinic.settings"},
                check=True,
                timeout=300,
            )
        with gunicorn("clinic.wsgi", env, workers, ready_path="/__baseline__/") as (url, pid):
            yield Server(url, pid, env)


@contextlib.contextmanager
def bare_server(workers=None):
    """Yields the URL and master's pid of the yardstick, bench/bare_wsgi.py,
    under the same gunicorn configuration as the site."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    with gunicorn("bench.bare_wsgi", env, workers, ready_path="/") as (url, pid):
        yield url, pid


@contextlib.contextmanager
def gunicorn(app, env, workers, ready_path):
    """Serves `app` on a free loopback port with production's gunicorn
    settings (deploy/gunicorn.conf.py) and `workers` sync workers; yields
    its URL and the master's pid."""
    port = free_port()
    env = env | {
        "GUNICORN_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": str(workers or os.cpu_count()),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), app, "--log-level=warning"],
        cwd=PROJECT,
        env=env,
        # The access log, one line a request, as in production; not kept here.
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, server, ready_path)
        yield f"http://{HOST}:{port}", server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(port, server, path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")
