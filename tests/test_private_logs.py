"""A patient's details never reach the logs or the error emails."""

import logging
import os
import re

import pytest
from django.core import mail

from clinic.request_log import new_request_id
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"
PRIVATE = {
    "full_name": "Zebedee Quartermaine",
    "email": "zebedee.q@example.com",
    "phone": "020 7946 0123",
    "description": "Sciatica down my left leg since the car crash",
}
PRIVATE_TEXT = [*PRIVATE.values(), "zebedee", "7946", "Sciatica"]


def assert_private(text):
    for secret in PRIVATE_TEXT:
        assert secret.lower() not in text.lower(), secret


def test_a_submission_logs_nothing_private(client, caplog, settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example"]
    with caplog.at_level(logging.DEBUG):
        client.post(FORM_URL, consultation_form_data(**PRIVATE))
        client.post(FORM_URL, consultation_form_data(**(PRIVATE | {"email": "bad"})))
        client.post(FORM_URL, consultation_form_data(**(PRIVATE | {"website": "bot"})))
    assert caplog.records, "the test must capture the site's logs"
    assert_private(caplog.text)


def test_a_server_error_during_a_submission_leaks_nothing(client, caplog, settings):
    settings.ADMINS = [("Admin", "admin@clinic.example")]
    # A broken setting makes the view fail after the form was read.
    settings.CONSULTATION_RATE_LIMIT = "not-a-rate"
    client.raise_request_exception = False
    with caplog.at_level(logging.DEBUG):
        response = client.post(FORM_URL, consultation_form_data(**PRIVATE))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    (error_email,) = mail.outbox
    assert "ValueError" in error_email.body
    assert_private(error_email.body)
    for alternative, _ in error_email.alternatives:
        assert_private(alternative)
    assert_private(caplog.text)


@pytest.fixture
def json_log_lines():
    """What the site's console handler writes (clinic.logs.JsonFormatter),
    parsed line by line."""
    import io
    import json

    from clinic.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_each_request_logs_one_json_line_with_its_request_id(client, json_log_lines):
    response = client.get("/stretches/?utm_source=zebedee", HTTP_X_REQUEST_ID="a" * 32)
    assert response["X-Request-ID"] == "a" * 32
    (line,) = [line for line in json_log_lines() if line["logger"] == "clinic.request"]
    assert line["request_id"] == "a" * 32
    assert (line["method"], line["path"], line["status"]) == ("GET", "/stretches/", 200)
    assert line["level"] == "INFO"
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")
    assert "zebedee" not in str(line)


def test_a_request_without_a_usable_id_gets_a_new_one(client, json_log_lines):
    first = client.get("/healthz")
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='"}\n{"level": "forged')
    assert first["X-Request-ID"] != forged["X-Request-ID"]
    assert len(forged["X-Request-ID"]) == 32
    assert [line["request_id"] for line in json_log_lines()] == [
        first["X-Request-ID"],
        forged["X-Request-ID"],
    ]


def test_workers_forked_from_one_process_make_ids_of_their_own():
    """gunicorn forks its workers from one process: each must make its own
    ids, not the same sequence."""
    read_end, write_end = os.pipe()
    children = []
    for _ in range(2):
        child = os.fork()
        if child == 0:
            os.write(write_end, new_request_id().encode())
            os._exit(0)
        children.append(child)
    for child in children:
        os.waitpid(child, 0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as made:
        ids = made.read().decode()
    first, second = ids[:32], ids[32:]
    assert re.fullmatch("[0-9a-f]{32}", first)
    assert re.fullmatch("[0-9a-f]{32}", second)
    assert first != second != new_request_id()


def test_a_submission_leaves_nothing_private_in_the_json_lines(client, json_log_lines, settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example"]
    client.post(f"{FORM_URL}?email=zebedee.q@example.com", consultation_form_data(**PRIVATE))
    client.post(FORM_URL, consultation_form_data(**(PRIVATE | {"email": "bad"})))
    client.get("/zebedee.q@example.com/")  # a 404 for a path the client chose
    lines = json_log_lines()
    requests = [line for line in lines if line["logger"] == "clinic.request"]
    assert [(line["method"], line["path"], line["status"]) for line in requests] == [
        ("POST", "/consultation/", 302),
        ("POST", "/consultation/", 200),
        ("GET", None, 404),
    ]
    assert_private("\n".join(map(str, lines)))
    assert "127.0.0.1" not in str(lines)


def test_a_signed_booking_link_is_logged_as_its_route(client, json_log_lines):
    token = "MTIz:1tZebedee:signature-that-would-let-anyone-manage-the-booking"
    client.get(f"/book/manage/{token}/")
    (line,) = json_log_lines()
    assert line["path"] == "/book/manage/<str:token>/"
    assert "signature" not in str(json_log_lines())


def test_an_error_is_logged_with_the_request_id_and_without_patient_details(
    client, json_log_lines, settings
):
    settings.CONSULTATION_RATE_LIMIT = "not-a-rate"  # the view fails after reading the form
    client.raise_request_exception = False
    response = client.post(FORM_URL, consultation_form_data(**PRIVATE), HTTP_X_REQUEST_ID="b" * 32)
    assert response.status_code == 500
    error, request = json_log_lines()[-2:]
    assert (error["logger"], error["level"]) == ("django.request", "ERROR")
    assert error["message"] == "Internal Server Error: /consultation/"
    assert "ValueError" in error["exception"]
    assert error["request_id"] == request["request_id"] == "b" * 32
    assert_private(str(json_log_lines()))
