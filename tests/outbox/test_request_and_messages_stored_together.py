"""A request and its emails are stored in one transaction, and the patient's
request never waits for a mail server."""

import pytest
from django.utils import timezone

from consultations.models import ConsultationRequest, OutboxMessage
from consultations.notifications import store_request_and_notify
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


def unsaved_request(**fields):
    """A request as the form builds it, before it is stored."""
    return ConsultationRequest(
        **{
            "full_name": "Grace Hopper",
            "email": "grace@example.com",
            "preferred_contact": "email",
            "pain_duration_weeks": 6,
            "pain_intensity": 5,
            "description": "Stiff lower back in the mornings.",
            "consent_version": "2026-11",
            "consent_text": "I agree.",
            "consent_given_at": timezone.now(),
            "consent_page": "/consultation/",
        }
        | fields
    )


def test_a_new_request_is_stored_with_its_staff_and_patient_messages(staff_recipients):
    consultation, created = store_request_and_notify(
        consultation=unsaved_request(email="ada@example.com")
    )
    assert created
    messages = {m.kind: m for m in consultation.outbox_messages.all()}
    assert set(messages) == {"staff_notification", "patient_acknowledgement"}
    assert messages["staff_notification"].recipients == staff_recipients
    assert messages["patient_acknowledgement"].recipients == ["ada@example.com"]
    assert all(m.status == "pending" and m.attempts == 0 for m in messages.values())


def test_a_request_that_fails_to_save_leaves_no_message(staff_recipients):
    impossible = unsaved_request(pain_intensity=-1)  # refused by the database's check
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError on SQLite and PostgreSQL
        store_request_and_notify(consultation=impossible)
    assert not ConsultationRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


class RecipientsThatCannotBeRead(list):
    def __iter__(self):
        raise RuntimeError("the outbox could not be written")

    def __bool__(self):
        return True


def test_a_message_that_fails_to_store_takes_the_request_back_with_it(settings):
    settings.CONSULTATION_NOTIFY_EMAILS = RecipientsThatCannotBeRead()
    with pytest.raises(RuntimeError):
        store_request_and_notify(consultation=unsaved_request())
    assert not ConsultationRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_resent_form_stores_no_second_set_of_messages(client, staff_recipients):
    data = consultation_form_data()
    client.post(FORM_URL, data)
    client.post(FORM_URL, data)
    assert ConsultationRequest.objects.count() == 1
    assert OutboxMessage.objects.count() == 2


def test_the_form_is_answered_without_talking_to_the_mail_server(
    client, staff_recipients, refusing_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(FORM_URL, consultation_form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/consultation/thanks/")
    # The commit only queued the worker; the mail server heard nothing.
    assert len(callbacks) == 2
    assert sum(refusing_smtp.tries.values()) == 0
    assert list(OutboxMessage.objects.values_list("status", "attempts")) == [("pending", 0)] * 2
