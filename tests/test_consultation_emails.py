"""After a request is stored, staff are told and the patient gets an
acknowledgement, through the outbox the worker sends; a mail server that is
down loses nothing."""

import logging
import socket

import pytest
from django.core import mail

from consultations.models import ConsultationRequest, OutboxMessage
from consultations.outbox import deliver_due_messages
from consultations.red_flags import Urgency
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


@pytest.fixture
def staff_recipients(settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example", "lead@clinic.example"]
    return settings.CONSULTATION_NOTIFY_EMAILS


def send_outbox():
    """What the worker does: send every message that is due."""
    deliver_due_messages()
    return mail.outbox


def test_staff_are_notified_and_the_patient_is_acknowledged(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data())
    stored = ConsultationRequest.objects.get()
    staff_mail, patient_mail = send_outbox()
    assert staff_mail.to == staff_recipients
    assert staff_mail.subject == f"New consultation request #{stored.pk}"
    assert f"/admin/consultations/consultationrequest/{stored.pk}/change/" in staff_mail.body
    assert patient_mail.to == ["ada@example.com"]
    assert "We have received it" in patient_mail.body


def test_staff_link_uses_the_site_address_not_the_requests_host(client, settings, staff_recipients):
    settings.SITE_URL = "https://clinic.example"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    client.post(FORM_URL, consultation_form_data(), HTTP_HOST="evil.example")
    stored = ConsultationRequest.objects.get()
    staff_mail = send_outbox()[0]
    expected = f"https://clinic.example/admin/consultations/consultationrequest/{stored.pk}/change/"
    assert expected in staff_mail.body
    assert "evil.example" not in staff_mail.body


def test_emails_carry_no_health_details_or_contact_details(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data())
    for message in send_outbox():
        for private in ["worse after sitting", "Lovelace", "7946"]:
            assert private not in message.body
            assert private not in message.subject
    assert "ada@example.com" not in mail.outbox[0].body


def test_emergency_request_is_named_in_the_staff_subject(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data(emergency_signs=["saddle_numbness"]))
    stored = ConsultationRequest.objects.get()
    assert stored.urgency == Urgency.EMERGENCY
    staff_mail = send_outbox()[0]
    assert staff_mail.subject == f"EMERGENCY: new consultation request #{stored.pk}"
    assert "URGENT" in staff_mail.body


def test_urgent_request_is_named_in_the_staff_subject(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data(urgent_signs=["fever"]))
    stored = ConsultationRequest.objects.get()
    assert stored.urgency == Urgency.URGENT
    assert send_outbox()[0].subject == f"Urgent: new consultation request #{stored.pk}"


def test_patient_who_gave_no_email_gets_none(client, staff_recipients):
    client.post(
        FORM_URL, consultation_form_data(preferred_contact="phone", email="", phone="07911 123456")
    )
    assert [message.to for message in send_outbox()] == [staff_recipients]


def test_double_submit_sends_the_emails_once(client, staff_recipients):
    data = consultation_form_data()
    client.post(FORM_URL, data)
    client.post(FORM_URL, data)
    assert len(send_outbox()) == 2
    assert len(send_outbox()) == 2


def test_dropped_spam_sends_no_email(client, staff_recipients):
    client.post(FORM_URL, consultation_form_data(website="spam"))
    assert send_outbox() == []
    assert not OutboxMessage.objects.exists()


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
    with caplog.at_level(logging.WARNING):
        response = client.post(FORM_URL, consultation_form_data(), follow=True)
    assert response.status_code == 200
    assert "What happens next" in response.content.decode()
    assert ConsultationRequest.objects.get().full_name == "Ada Lovelace"
    # Nothing was tried inside the request: both emails wait in the outbox.
    assert caplog.records == []
    assert list(OutboxMessage.objects.values_list("status", "attempts")) == [("pending", 0)] * 2


def test_worker_failing_to_send_logs_no_personal_data(
    client, staff_recipients, mail_server_down, caplog
):
    client.post(FORM_URL, consultation_form_data())
    with caplog.at_level(logging.WARNING, logger="consultations"):
        send_outbox()
    failures = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(failures) == 2
    assert all(message.attempts == 1 for message in OutboxMessage.objects.all())
    logged = caplog.text
    for private in ["Lovelace", "ada@example.com", "sitting at my desk", "7946"]:
        assert private not in logged
