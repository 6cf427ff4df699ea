"""After a request is stored, staff are told and the patient gets an
acknowledgement; a mail server that is down loses nothing."""

import logging
import socket

import pytest
from django.core import mail

from consultations.models import ConsultationRequest
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


@pytest.fixture
def staff_recipients(settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example", "lead@clinic.example"]
    return settings.CONSULTATION_NOTIFY_EMAILS


def test_staff_are_notified_and_the_patient_is_acknowledged(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data())
    stored = ConsultationRequest.objects.get()
    staff_mail, patient_mail = mail.outbox
    assert staff_mail.to == staff_recipients
    assert staff_mail.subject == f"New consultation request #{stored.pk}"
    assert f"/admin/consultations/consultationrequest/{stored.pk}/change/" in staff_mail.body
    assert patient_mail.to == ["ada@example.com"]
    assert "We have received it" in patient_mail.body


def test_emails_carry_no_health_details_or_contact_details(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data())
    for message in mail.outbox:
        for private in ["worse after sitting", "Lovelace", "7946"]:
            assert private not in message.body
            assert private not in message.subject
    assert "ada@example.com" not in mail.outbox[0].body


def test_urgent_request_is_flagged_in_the_staff_subject(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data(emergency_signs=["saddle_numbness"]))
    assert mail.outbox[0].subject.endswith("(URGENT)")
    assert "URGENT" in mail.outbox[0].body


def test_patient_who_gave_no_email_gets_none(client, staff_recipients):
    client.post(
        FORM_URL, consultation_form_data(preferred_contact="phone", email="", phone="07911 123456")
    )
    assert [message.to for message in mail.outbox] == [staff_recipients]


def test_double_submit_sends_the_emails_once(client, staff_recipients):
    data = consultation_form_data()
    client.post(FORM_URL, data)
    client.post(FORM_URL, data)
    assert len(mail.outbox) == 2


def test_dropped_spam_sends_no_email(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data(website="spam"))
    assert mail.outbox == []


@pytest.fixture
def mail_server_down(settings):
    """Point Django at a real SMTP connection to a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2


def test_mail_server_down_keeps_the_request_and_thanks_the_patient(
    client, staff_recipients, mail_server_down, caplog
):
    with caplog.at_level(logging.ERROR, logger="consultations.services"):
        response = client.post(FORM_URL, consultation_form_data(), follow=True)
    assert response.status_code == 200
    assert "What happens next" in response.content.decode()
    assert ConsultationRequest.objects.get().full_name == "Ada Lovelace"
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(failures) == 2
    logged = caplog.text
    for private in ["Lovelace", "ada@example.com", "sitting at my desk", "7946"]:
        assert private not in logged
