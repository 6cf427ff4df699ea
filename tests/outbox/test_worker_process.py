"""The real thing: gunicorn takes a patient's request while the mail server
refuses everything, then the real worker process delivers the staff email,
which the mail server refuses twice and accepts on the third try."""

import contextlib
import subprocess
import sys
import time

import pytest

from tests.live_site import (
    PROJECT,
    Patient,
    filled_form,
    running_site,
    site_database,
    site_env,
)
from tests.outbox.smtp_sink import smtp_sink

pytestmark = pytest.mark.server

STAFF = "frontdesk@clinic.example"


@contextlib.contextmanager
def running_worker(env, tmp_path):
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield log_path
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def wait_for(condition, *, timeout=60):
    """Poll a real process's progress; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the worker")


def test_the_worker_delivers_a_refused_email_on_the_third_try(tmp_path):
    with (
        smtp_sink(refuse_first=2) as (sink, smtp_port),
        site_database(tmp_path) as database,
    ):
        mail_settings = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5",
            "CONSULTATION_NOTIFY_EMAILS": STAFF,
            "OUTBOX_RETRY_SECONDS": "0.5",
            "WORKER_POLL_SECONDS": "0.2",
        }
        with running_site(database.env, tmp_path, workers=1, **mail_settings) as site:
            patient = Patient(site.port)
            status, headers, _ = patient.send_form(filled_form(patient.open_form(), 1))
            assert status == 302, site.log
            assert headers["Location"].startswith("/consultation/thanks/")
            # The request was answered; no mail server was asked anything yet.
            assert sum(sink.tries.values()) == 0
            assert database.count("consultations_consultationrequest") == 1
            assert database.query(
                "SELECT kind, status, attempts FROM consultations_outboxmessage ORDER BY kind"
            ) == [("patient_acknowledgement", "pending", 0), ("staff_notification", "pending", 0)]

            with running_worker(site_env(database.env, **mail_settings), tmp_path) as log:
                wait_for(
                    lambda: (
                        sink.delivered_to([STAFF]) and sink.delivered_to(["patient1@example.com"])
                    )
                )
                [staff_mail] = sink.delivered_to([STAFF])
                assert staff_mail["try"] == 3
                assert "New consultation request #1" in staff_mail["content"]
                assert database.query(
                    "SELECT status, attempts FROM consultations_outboxmessage "
                    "WHERE kind = 'staff_notification'"
                ) == [("sent", 3)]
                assert database.count("clinic_workerheartbeat") == 1, log.read_text()
