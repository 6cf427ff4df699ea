"""The settings module: safe with no environment, strict in production."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_production_with_a_secret_key_starts():
    result = run_manage("check", DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="clinic.example")
    assert result.returncode == 0, result.stderr


def test_fresh_migrate_gives_the_real_site_on_sqlite_in_wal_mode(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    result = run_manage("migrate", "--noinput", SQLITE_PATH=str(database))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM stretches_stretch").fetchone()[0] == 7
        assert db.execute("SELECT count(*) FROM stretches_keyword").fetchone()[0] == 9
