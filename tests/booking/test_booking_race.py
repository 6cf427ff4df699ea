"""Fifty patients race for one time through the real site (gunicorn, 4
workers, SQLite or PostgreSQL, as DATABASE_URL says): exactly one booking;
the other 49 see "just taken" with the nearest free times, and what they
typed is still in their form.

Holds last 0 minutes here, so that all fifty reach the confirm step with the
same time (as when holds lapse while patients type): only the database
constraint decides who gets it."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import urlencode

import pytest

from tests.live_site import Patient, manage, running_site, site_database

pytestmark = pytest.mark.server

PATIENTS = 50


class BookingPatient(Patient):
    def post(self, path, data):
        body = urlencode(data | {"csrfmiddlewaretoken": self.cookies["csrftoken"]}, doseq=True)
        return self.request(
            "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )


def typed_details(number):
    return {
        "full_name": f"Racing Patient {number}",
        "email": f"racer{number}@example.com",
        "phone": "020 7946 0958",
        "pain_duration_weeks": "6",
        "pain_intensity": "4",
        "description": f"Racer {number}: stiff lower back in the mornings.",
        "consent": "on",
        "consent_version": "2026-11",
    }


def walk_to_confirm(port, choice, slot, number):
    patient = BookingPatient(port)
    assert patient.get("/book/")[0] == 200
    assert patient.post("/book/", {})[0] == 302
    assert patient.post("/book/choose/", choice)[0] == 302
    status, _, page = patient.post("/book/hold/", {"slot": slot})
    assert status == 302, page[:2000]
    status, _, page = patient.post("/book/details/", typed_details(number))
    assert status == 302, page[:3000]
    return patient


@pytest.fixture
def site(tmp_path):
    with site_database(tmp_path) as database:
        manage("load_sample_clinic", env=database.env)
        with running_site(database.env, tmp_path, BOOKING_HOLD_MINUTES="0") as live:
            yield database, live


def test_fifty_patients_race_for_one_time_and_exactly_one_books_it(site):
    database, live = site
    [(type_id,)] = database.query(
        "SELECT id FROM practice_appointmenttype WHERE bookable_online ORDER BY id LIMIT 1"
    )
    [(location_id, clinician_slug)] = database.query(
        "SELECT h.location_id, c.slug FROM booking_weeklyhours h "
        "JOIN practice_clinician c ON c.id = h.clinician_id "
        "JOIN practice_appointmenttype_clinicians t ON t.clinician_id = c.id "
        f"WHERE t.appointmenttype_id = {type_id} ORDER BY h.id LIMIT 1"
    )
    choice = {"appointment_type": type_id, "location": location_id, "clinician": clinician_slug}
    scout = walk_to_choice(live.port, choice)
    _, _, times = scout.get("/book/times/")
    slot = unescape(re.search(r'name="slot" value="([^"]+)"', times).group(1))

    patients = [walk_to_confirm(live.port, choice, slot, n) for n in range(PATIENTS)]
    start_line = threading.Barrier(PATIENTS)

    def confirm(patient):
        start_line.wait()
        return patient.post("/book/review/", {})

    with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
        results = list(pool.map(confirm, patients))

    statuses = [status for status, _, _ in results]
    assert statuses.count(302) == 1, statuses
    assert statuses.count(409) == PATIENTS - 1, statuses
    assert database.count("booking_appointment") == 1
    for number, (status, _, page) in enumerate(results):
        if status == 409:
            assert "just been taken" in page
            assert "The nearest free times are" in page
            assert page.count('name="slot"') >= 2  # the nearest, and the days below
            assert f'value="Racing Patient {number}"' in page
            assert f'value="racer{number}@example.com"' in page
            assert f"Racer {number}: stiff lower back" in page
    assert "Traceback" not in live.log


def walk_to_choice(port, choice):
    patient = BookingPatient(port)
    patient.get("/book/")
    patient.post("/book/", {})
    patient.post("/book/choose/", choice)
    return patient
