"""Production settings: hardened headers, cookies and checks."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "clinic.example",
    "TRUSTED_PROXY_COUNT": "1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run(*args, **env):
    # The browser tests allow sync database calls from Playwright's event loop
    # in this process; a production process must not inherit that.
    unset = {"DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_setting(name, **env):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(repr(settings.{name}))"
    )
    result = run("-c", code, DJANGO_SETTINGS_MODULE="clinic.settings", **(PRODUCTION | env))
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_deploy_check_reports_nothing_with_production_settings():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_rate_limits_are_not_shared():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SESSION_COOKIE_SECURE", True),
        ("SESSION_COOKIE_HTTPONLY", True),
        ("SESSION_COOKIE_SAMESITE", "Lax"),
        ("CSRF_COOKIE_SECURE", True),
        ("CSRF_COOKIE_HTTPONLY", True),
        ("CSRF_COOKIE_SAMESITE", "Lax"),
        ("SECURE_SSL_REDIRECT", True),
        ("SECURE_PROXY_SSL_HEADER", ("HTTP_X_FORWARDED_PROTO", "https")),
    ],
)
def test_production_cookies_and_https(name, expected):
    assert production_setting(name) == expected


def test_production_hsts_lasts_at_least_six_months():
    assert production_setting("SECURE_HSTS_SECONDS") >= 183 * 24 * 3600


def test_admin_address_is_configurable():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    result = run("-c", code, DJANGO_SETTINGS_MODULE="clinic.settings", ADMIN_URL="clinic-staff")
    assert result.stdout.strip() == "/clinic-staff/"
