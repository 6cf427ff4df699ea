"""deploy/gunicorn.conf.py trusts forwarded headers (the client's address and
the HTTPS scheme) only from the proxy's address, as set in the environment."""

import contextlib
import re
import runpy
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest

from tests.live_site import PROJECT, Patient, free_port, site_database, site_env

pytestmark = pytest.mark.server

CONFIG = PROJECT / "deploy" / "gunicorn.conf.py"
FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@contextlib.contextmanager
def gunicorn_with_config(database_env, tmp_path, **env):
    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    environment = site_env(database_env, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "clinic.wsgi"],
            cwd=PROJECT,
            env=environment | env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    Patient(port).get("/robots.txt")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=20)


def failed_sign_in(port, headers):
    """A wrong password sent through the admin's sign-in form."""
    staff = Patient(port)
    status, _, page = staff.get("/admin/login/")
    assert status == 200, page[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "username": "guess", "password": "guess"})
    status, _, _ = staff.request(
        "POST",
        "/admin/login/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"} | headers,
    )
    return status


def recorded_addresses(database):
    return {str(row[0]) for row in database.query("SELECT ip_address FROM axes_accessattempt")}


def test_forwarded_headers_from_an_address_that_is_not_the_proxy_are_ignored(tmp_path):
    with (
        site_database(tmp_path) as database,
        gunicorn_with_config(
            database.env, tmp_path, TRUSTED_PROXY_COUNT="1", FORWARDED_ALLOW_IPS="10.255.255.1"
        ) as port,
    ):
        # Taken for HTTPS, Django would refuse the form for its missing Referer (403).
        assert failed_sign_in(port, FORGED) == 200
        assert recorded_addresses(database) == {"127.0.0.1"}


def test_forwarded_headers_from_the_proxy_are_trusted(tmp_path):
    with (
        site_database(tmp_path) as database,
        gunicorn_with_config(
            database.env, tmp_path, TRUSTED_PROXY_COUNT="1", FORWARDED_ALLOW_IPS="127.0.0.1"
        ) as port,
    ):
        assert failed_sign_in(port, FORGED) == 403  # HTTPS: the Referer is checked
        assert failed_sign_in(port, FORGED | {"Referer": "https://127.0.0.1/admin/login/"}) == 200
        assert recorded_addresses(database) == {"203.0.113.9"}


def test_without_a_proxy_nobody_is_trusted(tmp_path):
    with (
        site_database(tmp_path) as database,
        gunicorn_with_config(
            database.env, tmp_path, TRUSTED_PROXY_COUNT="0", FORWARDED_ALLOW_IPS="127.0.0.1"
        ) as port,
    ):
        assert failed_sign_in(port, FORGED) == 200
        assert recorded_addresses(database) == {"127.0.0.1"}


def test_the_scheme_header_is_the_one_django_reads(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    config = runpy.run_path(str(CONFIG))
    django = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; print(*s.SECURE_PROXY_SSL_HEADER)",
        ],
        cwd=PROJECT,
        env=site_env({}, TRUSTED_PROXY_COUNT="1", DJANGO_SETTINGS_MODULE="clinic.settings"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    ((name, value),) = config["secure_scheme_headers"].items()
    assert ["HTTP_" + name.replace("-", "_"), value] == django
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
