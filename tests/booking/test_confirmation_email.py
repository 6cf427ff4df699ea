import datetime
import zoneinfo

import pytest
from django.urls import reverse

from booking.models import Appointment
from consultations.models import OutboxMessage
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import DETAILS, EVERY_DAY, first_free_slot, walk_to_review
from tests.booking.mail import body_of, calendar_of, sent_emails

pytestmark = pytest.mark.django_db


def booked(client, location, **clinician_fields):
    clinician = make_clinician(**clinician_fields)
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], bookable_online=True)
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(
        client, location, clinician, appointment_type, slot, discuss_soon_signs=["onset_age"]
    )
    client.post("/book/review/")
    return Appointment.objects.get()


@pytest.fixture
def clinic_location():
    return make_location(
        name="Islington clinic",
        address="12 Upper Street\nLondon\nN1 0PQ",
        directions="Two minutes from Angel station; step-free entrance on Camden Passage.",
    )


def test_the_confirmation_email_carries_an_ics_the_calendar_reads(client, clinic_location, smtp):
    appointment = booked(client, clinic_location, name="Dr Grace Hopper")
    (message,) = sent_emails(smtp)
    assert message["To"] == DETAILS["email"]
    assert "booked" in message["Subject"]
    calendar, event = calendar_of(message)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]).startswith(f"appointment-{appointment.pk}@")
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    start = event.decoded("DTSTART")
    assert start == appointment.starts_at
    assert start.tzinfo == zoneinfo.ZoneInfo("Europe/London")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert event.decoded("DTEND") - start == datetime.timedelta(minutes=30)
    assert str(event["LOCATION"]) == "12 Upper Street, London, N1 0PQ"
    assert "Angel station" in str(event["DESCRIPTION"])
    assert "Dr Grace Hopper" in str(event["SUMMARY"])


def test_the_email_gives_address_directions_and_manage_link_but_no_health_details(
    client, clinic_location, smtp
):
    booked(client, clinic_location)
    (message,) = sent_emails(smtp)
    body = body_of(message)
    assert "12 Upper Street" in body
    assert "Angel station" in body
    assert "/book/manage/" in body
    assert "UK time" in body
    everything = message.as_string()
    for health_detail in (DETAILS["description"], "onset", "under 20", "pain intensity"):
        assert health_detail not in everything


def test_the_email_is_stored_with_the_appointment_in_one_transaction(client, clinic_location):
    appointment = booked(client, clinic_location)
    message = OutboxMessage.objects.get()
    assert message.appointment == appointment
    assert message.consultation is None
    assert message.calendar.startswith("BEGIN:VCALENDAR")


def test_the_outbox_admin_lists_appointment_emails_with_a_link_to_the_appointment(
    client, clinic_location, admin_client
):
    appointment = booked(client, clinic_location)
    message = OutboxMessage.objects.get()
    changelist = admin_client.get(reverse("admin:consultations_outboxmessage_changelist"))
    assert changelist.status_code == 200
    link = reverse("admin:booking_appointment_change", args=[appointment.pk])
    assert f'href="{link}">Appointment #{appointment.pk}</a>' in changelist.text
    page = admin_client.get(reverse("admin:consultations_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
