"""`make backup` takes a consistent snapshot while the site takes requests,
and the README's restore steps bring every request and stretch back."""

import shutil
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live_site import (
    PROJECT,
    Patient,
    filled_form,
    manage,
    running_site,
    site_database,
    site_env,
)

pytestmark = pytest.mark.server

TABLE = "consultations_consultationrequest"


def test_backup_during_traffic_restores_every_request_and_stretch(tmp_path):
    with site_database(tmp_path) as database:
        if not database.sqlite_path:
            pytest.skip("make backup snapshots the SQLite database; PostgreSQL uses pg_dump")
        with running_site(database.env, tmp_path) as live:
            accepted, keep_sending = [], threading.Event()
            keep_sending.set()

            def patient_sends(worker):
                number = worker * 10_000
                while keep_sending.is_set():
                    patient = Patient(live.port)
                    status, _, _ = patient.send_form(filled_form(patient.open_form(), number))
                    if status == 302:
                        accepted.append(number)
                    number += 1

            with ThreadPoolExecutor(max_workers=8) as pool:
                for worker in range(8):
                    pool.submit(patient_sends, worker)
                while len(accepted) < 50:
                    threading.Event().wait(0.05)
                stored_before_backup = set(accepted)
                backups = tmp_path / "backups"
                result = subprocess.run(
                    ["make", "--no-print-directory", "backup", f"BACKUP_DIR={backups}"],
                    cwd=PROJECT,
                    env=site_env(database.env),
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                sent_during_backup = len(accepted) - len(stored_before_backup)
                keep_sending.clear()
            assert result.returncode == 0, result.stdout + result.stderr
            assert sent_during_backup > 0, "the backup must run while requests arrive"

        # The README's restore steps, into a fresh database file.
        (backup,) = backups.glob("db-*.sqlite3")
        restored = tmp_path / "restored" / "db.sqlite3"
        restored.parent.mkdir()
        shutil.copy(backup, restored)
        manage("migrate", "--noinput", env={"SQLITE_PATH": str(restored)})

        with sqlite3.connect(restored) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            names = {name for (name,) in db.execute(f"SELECT full_name FROM {TABLE}")}
            assert {f"Load Test Patient {n}" for n in stored_before_backup} <= names
            assert db.execute("SELECT count(*) FROM stretches_stretch").fetchone()[0] == 7
            assert db.execute("SELECT count(*) FROM stretches_step").fetchone()[0] == 29


def test_backup_refuses_to_overwrite_an_existing_file(tmp_path):
    with site_database(tmp_path) as database:
        if not database.sqlite_path:
            pytest.skip("SQLite only")
        existing = tmp_path / "existing.sqlite3"
        existing.write_text("keep me")
        result = subprocess.run(
            [sys.executable, "manage.py", "backup_database", str(existing)],
            cwd=PROJECT,
            env=site_env(database.env),
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert "already exists" in result.stderr
        assert existing.read_text() == "keep me"
