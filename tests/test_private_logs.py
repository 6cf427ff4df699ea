"""A patient's details never reach the logs or the error emails."""

import logging

import pytest
from django.core import mail

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
