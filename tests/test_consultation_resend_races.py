"""Resends of one form racing each other on the real site (gunicorn, 4
workers, SQLite or PostgreSQL): one request, and no answer lost."""

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live_site import Patient, filled_form, running_site, site_database

pytestmark = pytest.mark.server

RESENDS = 24
TABLE = "consultations_consultationrequest"


@pytest.fixture
def site(tmp_path):
    with site_database(tmp_path) as database, running_site(database.env, tmp_path) as live:
        yield database, live


def test_concurrent_resends_with_changed_answers_store_one_request_and_lose_no_change(site):
    database, live = site
    patient = Patient(live.port)
    form = filled_form(patient.open_form(), 1)
    assert patient.send_form(form)[0] == 302
    start = threading.Barrier(RESENDS)

    def resend(number):
        # Each resend changes the description: the latest one must win.
        start.wait()
        changed = form | {"description": f"Changed answer number {number}."}
        return Patient(live.port, cookies=dict(patient.cookies)).send_form(changed)[0]

    with ThreadPoolExecutor(max_workers=RESENDS) as pool:
        statuses = list(pool.map(resend, range(RESENDS)))

    assert statuses == [302] * RESENDS
    [(description, revisions)] = database.query(f"SELECT description, revisions FROM {TABLE}")
    revisions = json.loads(revisions) if isinstance(revisions, str) else revisions
    # Every resend was applied in turn to what the one before left.
    changes = [revision["changes"]["description"] for revision in revisions]
    assert len(changes) == RESENDS
    assert changes[0]["old"].startswith("Request number 1:")
    assert all(later["old"] == earlier["new"] for earlier, later in itertools.pairwise(changes))
    assert description == changes[-1]["new"]
    assert {change["new"] for change in changes} == {
        f"Changed answer number {n}." for n in range(RESENDS)
    }
    assert "Traceback" not in live.log
