"""Waitlisted patients race to claim one freed time through the real site
(gunicorn, 4 workers, SQLite or PostgreSQL, as DATABASE_URL says): exactly
one holds it and books it; the others are told it has gone, with the
nearest free times, and stay on the list."""

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from booking.waitlist import OFFERS_PER_FREED_TIME
from tests.booking.test_booking_race import BookingPatient, typed_details
from tests.booking.waitlist_race import CLAIMERS
from tests.live_site import PROJECT, running_site, site_database, site_env

pytestmark = pytest.mark.server


def seeded(database):
    result = subprocess.run(
        [sys.executable, "-m", "tests.booking.waitlist_race"],
        cwd=PROJECT,
        env=site_env(database.env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_of_the_waitlisted_patients_claiming_one_time_at_once_exactly_one_books_it(tmp_path):
    assert CLAIMERS == OFFERS_PER_FREED_TIME
    with site_database(tmp_path) as database:
        race = seeded(database)
        claims = race["claims"]
        assert len(claims) == CLAIMERS
        with running_site(database.env, tmp_path) as live:
            patients = []
            for path in claims.values():
                patient = BookingPatient(live.port)
                status, _, page = patient.get(path)
                assert status == 200 and "Claim this time" in page
                patients.append((patient, path))
            start_line = threading.Barrier(CLAIMERS)

            def claim(patient_and_path):
                patient, path = patient_and_path
                start_line.wait()
                return patient.post(path, {})

            with ThreadPoolExecutor(max_workers=CLAIMERS) as pool:
                results = list(pool.map(claim, patients))

            statuses = [status for status, _, _ in results]
            assert statuses.count(302) == 1, statuses
            assert statuses.count(409) == CLAIMERS - 1, statuses
            for status, headers, page in results:
                if status == 302:
                    assert headers["Location"] == "/book/details/"
                else:
                    assert "Sorry, this time has gone" in page
                    assert "You are still on the waitlist" in page
                    assert 'name="slot"' in page
            winner = next(
                p for (p, _), (s, _, _) in zip(patients, results, strict=True) if s == 302
            )
            status, _, page = winner.post("/book/details/", typed_details(0))
            assert status == 302, page[:2000]
            assert winner.post("/book/review/", {})[0] == 302
            log = live.log

        booked = database.query(
            "SELECT starts_at FROM booking_appointment WHERE status IN ('booked', 'confirmed')"
        )
        waiting = database.count("booking_waitlistentry WHERE status = 'waiting'")
        claimed = database.count("booking_waitlistentry WHERE status = 'booked'")

    assert len(booked) == 1
    assert (waiting, claimed) == (CLAIMERS - 1, 1)
    assert "Traceback" not in log
