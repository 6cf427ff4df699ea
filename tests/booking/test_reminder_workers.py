"""Two real worker processes run the reminder job at once against one
database (a SQLite file, or PostgreSQL when DATABASE_URL is set): every
appointment gets exactly one reminder, a cancelled one none, a moved one only
for its new time."""

import json
import subprocess
import sys
import time

import pytest

from tests.booking import reminder_workers
from tests.live_site import PROJECT, site_database, site_env

pytestmark = pytest.mark.server

ROUNDS = 5


def run(*args, env):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.booking.reminder_workers", *args],
        cwd=PROJECT,
        env=site_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def test_two_workers_at_once_send_exactly_one_reminder_per_appointment(tmp_path):
    with site_database(tmp_path) as database:
        seeded = finished(run("seed", env=database.env))
        assert seeded["appointments"] == reminder_workers.APPOINTMENTS

        start_at = str(time.time() + 3)  # both past their imports, then off together
        workers = [run("work", start_at, str(ROUNDS), env=database.env) for _ in range(2)]
        results = [finished(worker) for worker in workers]

        sent_for = [pk for result in results for pk in result["sent_for"]]
        reminded = database.query(
            "SELECT appointment_id, count(*) FROM consultations_outboxmessage "
            "WHERE kind = 'booking_reminder' GROUP BY appointment_id"
        )
        cancelled = {
            pk
            for (pk,) in database.query(
                "SELECT id FROM booking_appointment WHERE status = 'cancelled_by_patient'"
            )
        }
        live = reminder_workers.APPOINTMENTS - len(cancelled)

    assert len(cancelled) == len(reminder_workers.CANCELLED)
    assert len(sent_for) == len(set(sent_for)) == live
    assert len(reminded) == live
    assert all(count == 1 for _, count in reminded)
    assert not cancelled & {pk for pk, _ in reminded}
