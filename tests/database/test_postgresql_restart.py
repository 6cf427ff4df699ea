"""PostgreSQL restarts while patients send consultation requests and book
appointments through the real site (gunicorn, 2 workers): no accepted
request or booking is lost, none is stored twice, patients caught by the
restart get the "please try again" page, and their retry is stored.

The server is a private cluster of the test's own (tests/private_postgres.py),
never the machine's shared one. Both ways of holding connections are tried:
persistent ones checked before reuse (the default) and Django's pool."""

import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import psycopg
import pytest

from tests.booking.test_booking_race import walk_to_choice, walk_to_confirm
from tests.live_site import Patient, filled_form, manage, running_site
from tests.private_postgres import postgres_binaries, private_postgres
from tests.test_database_faults import assert_try_again_page

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(postgres_binaries() is None, reason="needs PostgreSQL's server programs"),
    # It starts a server of its own, so one run is enough: the PostgreSQL one.
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs with the PostgreSQL suite (DATABASE_URL=postgres://…)",
    ),
]

CONSULTATION_SENDERS = 8
BOOKERS = 6
# Requests accepted before the restart, and again after it, before the load
# stops: the restart lands in the middle of the load however slow the machine.
ACCEPTED_EACH_SIDE = 4
LOAD_LIMIT_SECONDS = 90
RETRY_FOR_SECONDS = 30


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The private server, with a migrated site database to copy per test."""
    static = tmp_path_factory.mktemp("static")
    with private_postgres() as cluster:
        env = {"DATABASE_URL": cluster.url(), "STATIC_ROOT": str(static)}
        manage("collectstatic", "--noinput", env=env)
        manage("migrate", "--noinput", env=env)
        manage("load_sample_clinic", env=env)
        yield cluster, env


@pytest.fixture
def database(cluster):
    cluster, env = cluster
    name = f"clinic_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE clinic")
    return cluster, name, env | {"DATABASE_URL": cluster.url(name)}


def rows(database, sql):
    cluster, name, _ = database
    with psycopg.connect(cluster.url(name)) as db:
        return db.execute(sql).fetchall()


class Outcomes:
    """What patients saw, counted across threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = []  # (kind, number, monotonic time)
        self.try_again = 0

    def add(self, kind, number):
        with self.lock:
            self.accepted.append((kind, number, time.monotonic()))

    def wait_for_consultations(self, count, limit, after=0.0):
        """Wait until `count` requests were accepted since `after`."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock:
                if (
                    sum(kind == "consultation" and at > after for kind, _, at in self.accepted)
                    >= count
                ):
                    return
            time.sleep(0.05)
        raise AssertionError(f"fewer than {count} requests were accepted in {limit} s")

    def asked_to_try_again(self):
        with self.lock:
            self.try_again += 1


def unexplained_tracebacks(log):
    """Tracebacks in the log other than those of outbox messages left for the
    worker's sweep because the queue, in the same database, was down too
    (consultations/outbox.py logs those as warnings, and nothing is lost)."""
    unexplained, message = [], ""
    for line in log.splitlines():
        if line.startswith("Traceback"):
            if not message.startswith("Could not queue outbox message"):
                unexplained.append(message)
        elif not (
            line == ""
            or line.startswith((" ", "During handling"))
            or re.match(r"[\w.]+: ", line)  # an exception's last line
        ):
            message = line
    return unexplained


def until_accepted(send, accepted_status, outcomes):
    """Send until the site accepts; anything but the try-again page fails."""
    return until_accepted_page(send, outcomes, accepted_status)[1]


def until_accepted_page(send, outcomes, accepted_status=200):
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    while True:
        status, headers, page = send()
        if status == accepted_status:
            return status, headers, page
        assert_try_again_page(status, headers, page)
        outcomes.asked_to_try_again()
        assert time.monotonic() < deadline, "the site did not recover after the restart"
        time.sleep(0.2)  # a patient's pause before pressing the button again


@pytest.mark.parametrize(
    "connections",
    [{"DB_CONN_MAX_AGE": "60"}, {"DB_POOL": "1", "DB_POOL_TIMEOUT": "5"}],
    ids=["persistent", "pool"],
)
def test_a_restart_under_load_loses_and_duplicates_nothing(database, tmp_path, connections):
    cluster, _, env = database
    with running_site(env, tmp_path, workers=2, **connections) as live:
        # Each booker holds a time of their own, up to the review step.
        [(type_id,)] = rows(
            database,
            "SELECT id FROM practice_appointmenttype WHERE bookable_online ORDER BY id LIMIT 1",
        )
        [(location_id, clinician_slug)] = rows(
            database,
            "SELECT h.location_id, c.slug FROM booking_weeklyhours h "
            "JOIN practice_clinician c ON c.id = h.clinician_id "
            "JOIN practice_appointmenttype_clinicians t ON t.clinician_id = c.id "
            f"WHERE t.appointmenttype_id = {type_id} ORDER BY h.id LIMIT 1",
        )
        choice = {"appointment_type": type_id, "location": location_id, "clinician": clinician_slug}
        scout = walk_to_choice(live.port, choice)
        bookers = []
        for number in range(BOOKERS):
            # The first time still offered: earlier bookers' holds hide theirs.
            _, _, times = scout.get("/book/times/")
            slot = unescape(re.search(r'name="slot" value="([^"]+)"', times).group(1))
            bookers.append(walk_to_confirm(live.port, choice, slot, number))

        outcomes = Outcomes()
        stop, restarting = threading.Event(), threading.Event()

        def send_consultations(sender):
            number = sender * 1000
            while not stop.is_set():
                patient = Patient(live.port)
                _, _, page = until_accepted_page(lambda: patient.get("/consultation/"), outcomes)  # noqa: B023
                hidden = dict(
                    re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
                )
                form = filled_form(hidden, number)
                headers = until_accepted(lambda: patient.send_form(form), 302, outcomes)  # noqa: B023
                assert headers["Location"] == "/consultation/thanks/"
                outcomes.add("consultation", number)
                number += 1

        def book(number):
            # Half confirm before the restart, half as it begins.
            if number >= BOOKERS // 2:
                restarting.wait(LOAD_LIMIT_SECONDS)
            patient = bookers[number]
            until_accepted(lambda: patient.post("/book/review/", {}), 302, outcomes)
            outcomes.add("booking", number)

        with ThreadPoolExecutor(max_workers=CONSULTATION_SENDERS + BOOKERS) as pool:
            futures = [pool.submit(send_consultations, n) for n in range(CONSULTATION_SENDERS)]
            futures += [pool.submit(book, n) for n in range(BOOKERS)]
            try:
                outcomes.wait_for_consultations(ACCEPTED_EACH_SIDE, LOAD_LIMIT_SECONDS)
                server_before = cluster.server_pid()
                restarted_at = time.monotonic()
                restarting.set()
                cluster.restart()
                back_at = time.monotonic()
                assert cluster.server_pid() != server_before
                outcomes.wait_for_consultations(
                    ACCEPTED_EACH_SIDE, LOAD_LIMIT_SECONDS, after=back_at
                )
            finally:
                stop.set()
            for future in futures:
                future.result()

        assert unexplained_tracebacks(live.log) == []
        assert "Internal Server Error" not in live.log

    consultations = [o for o in outcomes.accepted if o[0] == "consultation"]
    # The restart happened in the middle of the load, not before or after it.
    assert sum(at < restarted_at for _, _, at in consultations) >= ACCEPTED_EACH_SIDE
    assert sum(at > back_at for _, _, at in consultations) >= ACCEPTED_EACH_SIDE
    stored = rows(
        database,
        "SELECT email, count(*) FROM consultations_consultationrequest "
        "WHERE email LIKE 'patient%' GROUP BY email",
    )
    assert sorted(stored) == sorted((f"patient{n}@example.com", 1) for _, n, _ in consultations)
    booked = rows(database, "SELECT patient_email, count(*) FROM booking_appointment GROUP BY 1")
    assert sorted(booked) == sorted((f"racer{n}@example.com", 1) for n in range(BOOKERS))
    print(
        f"{len(consultations)} requests and {BOOKERS} bookings stored once each; "
        f"{outcomes.try_again} answers asked the patient to try again; "
        f"the restart took {back_at - restarted_at:.1f} s"
    )
