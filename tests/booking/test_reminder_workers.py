"""Two real worker processes run the reminder job at once, while patients
cancel, against one database (a SQLite file, or PostgreSQL when DATABASE_URL
is set): every appointment gets exactly one reminder, one cancelled before
none, a moved one only for its new time, and nothing is left waiting for a
cancelled appointment."""

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

        start_at = str(time.time() + 3)  # all past their imports, then off together
        workers = [run("work", start_at, str(ROUNDS), env=database.env) for _ in range(2)]
        patients = run("cancel", start_at, env=database.env)
        results = [finished(worker) for worker in workers]
        cancelled_meanwhile = set(finished(patients)["cancelled"])

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
        for_another_time = database.query(
            "SELECT r.id FROM booking_reminder r JOIN booking_appointment a "
            "ON a.id = r.appointment_id WHERE r.status = 'sent' AND r.starts_at <> a.starts_at"
        )
        moved_and_reminded = database.query(
            "SELECT count(DISTINCT r.appointment_id) FROM booking_reminder r "
            "WHERE r.status = 'sent' AND r.appointment_id IN "
            "(SELECT appointment_id FROM booking_reminder WHERE status = 'cancelled')"
        )[0][0]
        left_waiting = database.query(
            "SELECT r.appointment_id FROM booking_reminder r JOIN booking_appointment a "
            "ON a.id = r.appointment_id WHERE r.status = 'pending' AND a.status LIKE 'cancelled%'"
        )

    cancelled_before = cancelled - cancelled_meanwhile
    assert len(cancelled_before) == len(reminder_workers.CANCELLED)
    assert cancelled_meanwhile
    # Every appointment still booked got exactly one reminder; one cancelled
    # while the workers ran got one only if the worker reached it first.
    assert len(sent_for) == len(set(sent_for))
    assert all(count == 1 for _, count in reminded)
    reminded_for = {pk for pk, _ in reminded}
    assert reminded_for == set(sent_for)
    still_booked = reminder_workers.APPOINTMENTS - len(cancelled)
    assert len(reminded_for - cancelled) == still_booked
    assert not cancelled_before & reminded_for
    assert left_waiting == []
    assert for_another_time == []
    assert moved_and_reminded >= 1  # moved ones, reminded of their new time
