"""No request lost under load: the real site under gunicorn with 4 workers,
on a file database (SQLite, or PostgreSQL in CI's second run)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live_site import Patient, filled_form, running_site, site_database

pytestmark = pytest.mark.server

SUBMISSIONS = 500
CONCURRENCY = 64
TABLE = "consultations_consultationrequest"


@pytest.fixture
def site(tmp_path):
    with site_database(tmp_path) as database, running_site(database.env, tmp_path) as live:
        yield database, live


def submit(port, number):
    patient = Patient(port)
    hidden = patient.open_form()
    status, headers, _ = patient.send_form(filled_form(hidden, number))
    return status, headers.get("Location", "")


def test_500_concurrent_submissions_are_all_stored(site):
    database, live = site
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(lambda n: submit(live.port, n), range(SUBMISSIONS)))

    statuses = [status for status, _ in results]
    accepted = [n for n, (status, location) in enumerate(results) if status == 302]
    assert [s for s in statuses if s >= 500] == []
    assert len(accepted) == SUBMISSIONS, {s: statuses.count(s) for s in set(statuses)}
    assert all(location == "/consultation/thanks/" for _, location in results)
    stored = {name for (name,) in database.query(f"SELECT full_name FROM {TABLE}")}
    assert stored == {f"Load Test Patient {n}" for n in accepted}
    assert "database is locked" not in live.log
    assert "Traceback" not in live.log


def test_40_identical_submissions_at_the_same_instant_store_one_request(site):
    database, live = site
    patient = Patient(live.port)
    form = filled_form(patient.open_form(), 1)
    start = threading.Barrier(40)

    def send_at_once(_):
        start.wait()
        return Patient(live.port, cookies=dict(patient.cookies)).send_form(form)[0]

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(send_at_once, range(40)))

    assert statuses == [302] * 40
    assert database.count(TABLE) == 1
    assert "Traceback" not in live.log
