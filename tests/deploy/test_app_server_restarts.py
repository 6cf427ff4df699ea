"""One of several app servers goes away and comes back, as on a deploy or a
fault, while patients use the site through nginx (deploy/nginx/clinic.conf):
nobody reading loses a page, nothing sent is stored twice, and a patient
whose form could not be passed on gets the clinic's "please try again" page,
after which sending it again stores it once."""

import threading
import time

import pytest

from bench.mixed import booking_choice, read_pages, run_mixed_load, stored_bookings, summary
from tests.deploy.clients import (
    Visitor,
    add_content_editor,
    form_fields,
    hidden_fields,
    sign_in_content_editor,
)
from tests.deploy.servers import deployment, wait_for
from tests.live_site import filled_form

pytestmark = pytest.mark.server

PLEASE_TRY_AGAIN = "Please try again in a moment"
MAY_NOT_HAVE_REACHED_US = "it may not have reached us"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with deployment(tmp_path_factory.mktemp("restarts")) as site:
        add_content_editor(site.env)
        yield site


def mixed_load_in_the_background(site, *, clients, seconds):
    """Patients reading, opening forms and booking (bench/mixed.py) from a
    thread; returns a function that waits for their (samples, bookings)."""
    result = {}

    def load():
        result["value"] = run_mixed_load(
            site.port,
            read_pages(site.database),
            booking_choice(site.database),
            clients=clients,
            seconds=seconds,
        )

    thread = threading.Thread(target=load)
    thread.start()

    def outcome():
        thread.join(timeout=120)
        assert "value" in result, "the load did not finish"
        return result["value"]

    return outcome


def serving_through_nginx(site):
    return Visitor(site.port).get("/healthz")[0] == 200


def test_reloading_each_app_server_in_turn_under_load_loses_nothing(site):
    """`systemctl reload clinic-web@PORT` (HUP) on one server, then the
    other, as a deploy of new code does, while 16 patients read, open forms
    and book."""
    load = mixed_load_in_the_background(site, clients=16, seconds=10)
    time.sleep(1)  # the load under way
    for server in site.app_servers:
        server.reload()
    samples, booked = load()

    rows = {row["kind"]: row for row in summary(samples, 10)}
    assert {kind: row["errors"] for kind, row in rows.items()} == {
        "read": [],
        "form": [],
        "booking": [],
    }
    assert rows["read"]["count"] > 100
    per_email, stored_total = stored_bookings(site.database, booked)
    assert set(per_email.values()) <= {1}
    assert stored_total == len(booked)


def send_until_stored(site, number, sent_pages):
    """A patient sends a consultation request, and sends the same form again
    whenever the please-try-again page comes back, as that page asks."""
    patient = Visitor(site.port)
    status, _, page = patient.get("/consultation/")
    assert status == 200, page[:500]
    form = filled_form(hidden_fields(page), number)
    for _ in range(20):
        status, headers, page = patient.post("/consultation/", form)
        if status == 302:
            assert headers["Location"].startswith("/consultation/thanks/")
            return
        assert status in (502, 504), page[:2000]
        sent_pages.append(page)
        time.sleep(0.2)
    raise AssertionError(f"patient {number}'s request was never taken")


def test_an_app_server_stopping_under_load_loses_no_page_and_no_request(site):
    first, second = site.app_servers
    readers = mixed_load_in_the_background(site, clients=8, seconds=8)
    sent_again = []
    senders = [
        threading.Thread(target=send_until_stored, args=(site, 5000 + n, sent_again))
        for n in range(24)
    ]
    time.sleep(1)
    for sender in senders:
        sender.start()
    second.stop()  # TERM: it finishes what it has and takes no more
    time.sleep(3)
    second.start()
    for sender in senders:
        sender.join(timeout=120)
    samples, booked = readers()

    rows = {row["kind"]: row for row in summary(samples, 8)}
    # nginx passes a read that met the stopping server on to the other one.
    assert rows["read"]["errors"] == [] and rows["form"]["errors"] == []
    assert rows["read"]["count"] > 50
    # A form nginx could not pass on was answered with the clinic's page.
    for page in sent_again:
        assert PLEASE_TRY_AGAIN in page and MAY_NOT_HAVE_REACHED_US in page
    stored = dict(
        site.database.query(
            "SELECT email, count(*) FROM consultations_consultationrequest "
            "WHERE email LIKE 'patient50%@example.com' GROUP BY email"
        )
    )
    assert stored == {f"patient{5000 + n}@example.com": 1 for n in range(24)}
    # A booking step nginx could not pass on is the only failure a patient saw.
    assert set(rows["booking"]["errors"]) <= {
        f"error: {step} {status}"
        for step in ("choose", "times", "hold", "details", "review")
        for status in (502, 504)
    }
    per_email, stored_total = stored_bookings(site.database, booked)
    assert set(per_email.values()) <= {1}
    # (and one whose confirmation met the stop may be stored, once, as well)
    assert stored_total >= len(booked)
    # The server that came back takes requests again.
    assert Visitor(first.port).get("/healthz")[0] == 200
    assert Visitor(second.port).get("/healthz")[0] == 200


def change_main_locations_phone(site, phone):
    """A content editor changes it in the admin, through nginx."""
    [(location_id,)] = site.database.query(
        "SELECT id FROM practice_location WHERE is_main AND is_active"
    )
    editor = sign_in_content_editor(site.port)
    change_path = f"/admin/practice/location/{location_id}/change/"
    status, _, form_page = editor.get(change_path)
    assert status == 200, form_page[:500]
    fields = [
        (name, phone if name == "phone" else value)
        for name, value in form_fields(form_page, "location_form")
    ]
    status, _, page = editor.post(change_path, [*fields, ("_save", "Save")])
    assert status == 302, page[:3000]


def test_with_no_app_server_answering_patients_get_the_clinics_please_try_again_page(site):
    # Staff changed the clinic's number since the deploy wrote the page.
    change_main_locations_phone(site, "020 7946 0777")
    for server in site.app_servers:
        server.stop()
    try:
        status, headers, page = Visitor(site.port).get("/stretches/")
        assert status == 502
        assert PLEASE_TRY_AGAIN in page and MAY_NOT_HAVE_REACHED_US in page
        assert '<a href="tel:+442079460777">020 7946 0777</a>' in page
        assert headers["Cache-Control"] == "no-store"
        assert headers["Retry-After"] == "30"
        assert "default-src 'none'" in headers["Content-Security-Policy"]

        patient = Visitor(site.port)
        status, _, page = patient.post("/consultation/", {"full_name": "A Patient"})
        assert status == 502 and PLEASE_TRY_AGAIN in page
    finally:
        for server in site.app_servers:
            server.start()
    # nginx takes them back once they answer.
    wait_for(lambda: serving_through_nginx(site), timeout=30, message="nginx kept them out")
    assert Visitor(site.port).get("/stretches/")[0] == 200
