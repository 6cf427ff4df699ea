"""Staff paths send the patient the same emails as the patient's own:
a phoned-in booking is confirmed, a cancellation by the clinic is told;
the front desk sees the waitlist and reminders, content editors neither."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from booking.models import Appointment, WaitlistEntry
from booking.services import book_appointment
from tests.booking.mail import body_of, calendar_of, sent_emails
from tests.booking.test_admin import ADD, CHANGELIST, diary, next_week_at, phoned_in, staff_in
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

__all__ = ["diary"]  # the fixture, shared with the admin's tests


def booked(diary, email="ada@example.com"):
    location, clinician, appointment_type = diary
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=next_week_at(10),
        patient_name="Ada Lovelace",
        patient_email=email,
    )


def test_a_patient_who_phones_in_gets_the_confirmation_email_with_its_calendar_file(
    admin_client, diary, smtp
):
    assert admin_client.post(ADD, phoned_in(*diary, next_week_at(10))).status_code == 302
    [email] = sent_emails(smtp)
    assert email["To"] == "grace@example.com"
    assert "Your appointment is booked" in body_of(email)
    _, event = calendar_of(email)
    assert event["UID"].startswith(f"appointment-{Appointment.objects.get().pk}@")


def test_a_refused_phone_in_booking_sends_nothing(admin_client, diary, smtp):
    booked(diary, email="")
    response = admin_client.post(ADD, phoned_in(*diary, next_week_at(10)))
    assert response.status_code == 200
    assert sent_emails(smtp) == []


def test_the_clinic_cancelling_on_the_page_tells_the_patient(admin_client, diary, smtp):
    appointment = booked(diary)
    change = reverse("admin:booking_appointment_change", args=[appointment.pk])
    admin_client.post(change, {"status": Appointment.Status.CANCELLED_BY_CLINIC})
    [email] = sent_emails(smtp)
    assert "Your appointment has been cancelled" in body_of(email)
    calendar, event = calendar_of(email)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert event["SEQUENCE"] == 1


def test_the_clinic_cancelling_with_the_list_action_tells_the_patient(admin_client, diary, smtp):
    appointment = booked(diary)
    admin_client.post(
        CHANGELIST, {"action": "mark_cancelled_by_clinic", "_selected_action": [appointment.pk]}
    )
    [email] = sent_emails(smtp)
    assert "Your appointment has been cancelled" in body_of(email)


def test_confirming_or_marking_arrived_sends_no_email(admin_client, diary, smtp, settings):
    settings.BOOKING_CONFIRMATION = "staff"
    appointment = booked(diary)
    admin_client.post(
        CHANGELIST, {"action": "mark_confirmed", "_selected_action": [appointment.pk]}
    )
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    assert sent_emails(smtp) == []


def waiting_entry(diary):
    location, clinician, appointment_type = diary
    return WaitlistEntry.objects.create(
        full_name="Grace Hopper",
        email="grace@example.com",
        appointment_type=appointment_type,
        location=location,
        clinician=clinician,
        before=next_week_at(10).date(),
        consent_text="yes",
    )


def test_the_front_desk_sees_the_waitlist_and_reminders_and_content_editors_do_not(client, diary):
    entry = waiting_entry(diary)
    booked(diary)
    urls = [
        reverse("admin:booking_waitlistentry_changelist"),
        reverse("admin:booking_waitlistentry_change", args=[entry.pk]),
        reverse("admin:booking_reminder_changelist"),
    ]
    sign_in_with_second_factor(client, staff_in("Front desk"))
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "Grace Hopper" in client.get(urls[0]).text
    client.force_login(staff_in("Content editors"))
    for url in urls:
        assert client.get(url).status_code in (403, 404), url
    delete = reverse("admin:booking_waitlistentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code in (403, 404)
    assert WaitlistEntry.objects.exists()


def test_the_front_desk_takes_a_patient_off_the_waitlist(client, diary):
    entry = waiting_entry(diary)
    sign_in_with_second_factor(client, staff_in("Front desk"))
    delete = reverse("admin:booking_waitlistentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not WaitlistEntry.objects.exists()
    # Erased for good: the admin's own log keeps no name.
    [logged] = LogEntry.objects.all()
    assert "Grace" not in logged.object_repr
    assert logged.object_repr.startswith(f"Waitlist entry #{entry.pk}")
