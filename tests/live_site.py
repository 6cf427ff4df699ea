"""The real site under gunicorn, on a database of its own, for tests that
need real processes: load, concurrency, faults, backups.

The database is a SQLite file, or, when DATABASE_URL is set (as in CI's
PostgreSQL run), a fresh PostgreSQL database on that server.
"""

import contextlib
import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from django.conf import settings

PROJECT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SiteDatabase:
    """A database for one test's site, and a way to read what it holds."""

    env: dict
    sqlite_path: Path | None = None
    postgres_url: str | None = None

    def query(self, sql):
        if self.sqlite_path:
            with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(self.postgres_url) as db:
            return db.execute(sql).fetchall()

    def count(self, table):
        return self.query(f"SELECT count(*) FROM {table}")[0][0]


@contextlib.contextmanager
def site_database(tmp_path):
    """A migrated database, holding the seed article, for a live site."""
    base_url = os.environ.get("DATABASE_URL")
    # With DEBUG=0 pages link static files by their hashed names: collect them.
    static = {"STATIC_ROOT": str(tmp_path / "static")}
    manage("collectstatic", "--noinput", env=static)
    if not base_url:
        path = tmp_path / "site.sqlite3"
        database = SiteDatabase(env={"SQLITE_PATH": str(path), **static}, sqlite_path=path)
        manage("migrate", "--noinput", env=database.env)
        yield database
        return
    name = f"clinic_live_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(base_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        database = SiteDatabase(env={"DATABASE_URL": url, **static}, postgres_url=url)
        manage("migrate", "--noinput", env=database.env)
        yield database
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_env(database_env, **overrides):
    """Production-like settings for a site served over plain HTTP on loopback."""
    unset = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {key: value for key, value in os.environ.items() if key not in unset}
    return (
        base
        | {
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CONSULTATION_MIN_FILL_SECONDS": "0",
            "CONSULTATION_RATE_LIMIT": "1000000/h",
            "DB_CONN_MAX_AGE": "0",
        }
        | database_env
        | overrides
    )


def manage(*args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=site_env(env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@dataclass
class LiveSite:
    port: int
    log_path: Path

    @property
    def log(self):
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_site(database_env, tmp_path, workers=4, **overrides):
    """gunicorn serving the site on a free loopback port until the block ends."""
    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clinic.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--error-logfile",
                "-",
            ],
            cwd=PROJECT,
            env=site_env(database_env, **overrides),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(port, server)
            yield LiveSite(port=port, log_path=log_path)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def wait_until_serving(port, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before serving")
        try:
            if Patient(port).get("/stretches/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start serving in time")


@dataclass
class Patient:
    """A browser-like client: keeps cookies, reads the form's hidden fields."""

    port: int
    cookies: dict = field(default_factory=dict)

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            all_headers = {"Host": "127.0.0.1"} | (headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                self.cookies |= {name: morsel.value for name, morsel in cookie.items()}
            return response.status, dict(response.headers), content
        finally:
            connection.close()

    def get(self, path):
        return self.request("GET", path)

    def open_form(self, path="/consultation/"):
        """The form's hidden fields, as a browser would send them back."""
        status, _, page = self.get(path)
        assert status == 200, page[:500]
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        return hidden

    def send_form(self, data):
        body = urlencode(data, doseq=True)
        return self.request(
            "POST",
            "/consultation/",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


def filled_form(hidden, number):
    """A patient's valid request on top of the form's hidden fields."""
    return hidden | {
        "full_name": f"Load Test Patient {number}",
        "email": f"patient{number}@example.com",
        "phone": "",
        "preferred_contact": "email",
        "preferred_time": "any",
        "pain_duration_weeks": "6",
        "pain_intensity": str(number % 11),
        "description": f"Request number {number}: lower back pain after sitting.",
        "consent": "on",
        "website": "",
    }
