"""Appointment reminders: N hours before (a clinic setting), sent once, never
after a cancellation, moved with the booking and never for the old time.
Time is moved with time-machine; the worker's job is called as it would run."""

import datetime

import pytest
import time_machine

from booking.models import Appointment, Reminder
from booking.patient_booking import cancel_by_patient, move_by_patient
from booking.reminders import send_due_reminders
from booking.services import book_appointment, move_appointment, reschedule_appointment
from clinic.models import SiteSettings
from consultations.models import OutboxMessage
from tests.booking.builders import (
    add_hours,
    london,
    make_appointment_type,
    make_clinician,
    make_location,
)
from tests.booking.flow import EVERY_DAY
from tests.booking.mail import sent_emails

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
BOOKED_AT = london(2026, 6, 1, 8, 0)  # Monday morning
STARTS = london(2026, 6, 4, 10, 0)  # Thursday 10:00


@pytest.fixture
def diary():
    location = make_location(name="Islington clinic")
    clinician = make_clinician(name="Dr Rosa Mendes")
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    return location, clinician, make_appointment_type(clinicians=[clinician], name="Follow-up")


def book(diary, starts_at=STARTS, now=BOOKED_AT, email="ada@example.com"):
    location, clinician, appointment_type = diary
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        patient_name="Ada Lovelace",
        patient_email=email,
        now=now,
    )


def reminders_sent():
    return list(OutboxMessage.objects.filter(kind=Kind.BOOKING_REMINDER))


def run_worker_at(moment):
    with time_machine.travel(moment, tick=False):
        return send_due_reminders()


def test_a_booking_gets_one_reminder_waiting_for_its_start_time_and_none_is_sent_at_booking(
    diary,
):
    appointment = book(diary)
    [reminder] = appointment.reminders.all()
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.starts_at == STARTS
    assert run_worker_at(BOOKED_AT) == []
    assert reminders_sent() == []


def test_the_reminder_is_sent_24_hours_before_and_only_once(diary, smtp):
    appointment = book(diary)
    assert run_worker_at(STARTS - datetime.timedelta(hours=24, minutes=1)) == []
    [sent] = run_worker_at(STARTS - datetime.timedelta(hours=24))
    assert sent.appointment == appointment
    assert run_worker_at(STARTS - datetime.timedelta(hours=23)) == []
    assert run_worker_at(STARTS - datetime.timedelta(hours=1)) == []
    [message] = reminders_sent()
    assert message.recipients == ["ada@example.com"]
    assert "A reminder of your appointment" in message.body
    assert "Thursday 4 June 2026, 10:00 (BST, UK time)" in message.body
    assert "Dr Rosa Mendes" in message.body
    assert "/book/manage/" in message.body
    emails = sent_emails(smtp)
    assert [email["Subject"].startswith("Reminder:") for email in emails] == [True]
    assert emails[0]["To"] == "ada@example.com"


def test_the_hours_before_come_from_the_clinics_setting(diary):
    SiteSettings.objects.create(reminder_hours_before=48)
    book(diary)
    assert run_worker_at(STARTS - datetime.timedelta(hours=48, minutes=1)) == []
    assert len(run_worker_at(STARTS - datetime.timedelta(hours=48))) == 1


def test_a_setting_of_zero_sends_no_reminders(diary):
    SiteSettings.objects.create(reminder_hours_before=0)
    appointment = book(diary)
    assert not appointment.reminders.exists()
    assert run_worker_at(STARTS - datetime.timedelta(hours=2)) == []


def test_a_booking_made_within_the_reminder_period_gets_no_reminder(diary):
    appointment = book(diary, now=STARTS - datetime.timedelta(hours=20))
    assert not appointment.reminders.exists()
    assert run_worker_at(STARTS - datetime.timedelta(hours=3)) == []
    assert reminders_sent() == []


def test_no_reminder_is_sent_after_the_patient_cancels(diary):
    appointment = book(diary)
    cancel_by_patient(appointment=appointment, now=BOOKED_AT + datetime.timedelta(hours=1))
    assert appointment.reminders.get().status == Reminder.Status.CANCELLED
    assert run_worker_at(STARTS - datetime.timedelta(hours=24)) == []
    assert run_worker_at(STARTS - datetime.timedelta(hours=2)) == []
    assert reminders_sent() == []


def test_no_reminder_is_sent_after_the_clinic_cancels(diary, admin_user):
    appointment = book(diary)
    move_appointment(
        appointment=appointment,
        to_status=Appointment.Status.CANCELLED_BY_CLINIC,
        by=admin_user,
        now=BOOKED_AT,
    )
    assert run_worker_at(STARTS - datetime.timedelta(hours=12)) == []
    assert reminders_sent() == []


def test_the_reminder_moves_with_the_booking_and_the_old_time_gets_none(diary):
    appointment = book(diary)
    later = london(2026, 6, 6, 14, 0)  # Saturday 14:00
    move_by_patient(appointment=appointment, starts_at=later, now=BOOKED_AT)
    old, new = appointment.reminders.order_by("pk")
    assert (old.starts_at, old.status) == (STARTS, Reminder.Status.CANCELLED)
    assert (new.starts_at, new.status) == (later, Reminder.Status.PENDING)
    # The old time's reminder moment passes: nothing goes out.
    assert run_worker_at(STARTS - datetime.timedelta(hours=24)) == []
    [sent] = run_worker_at(later - datetime.timedelta(hours=24))
    assert sent.starts_at == later
    [message] = reminders_sent()
    assert "Saturday 6 June 2026, 14:00" in message.body


def test_a_booking_moved_earlier_after_its_reminder_went_gets_one_for_the_new_time(diary):
    appointment = book(diary, starts_at=london(2026, 6, 10, 10, 0))
    # Reminded of the 10th, then moved to the 9th two days before.
    run_worker_at(london(2026, 6, 9, 10, 0))
    reschedule_appointment(
        appointment=appointment, starts_at=london(2026, 6, 9, 16, 0), now=london(2026, 6, 9, 10, 5)
    )
    assert run_worker_at(london(2026, 6, 9, 10, 10)) == []  # within 24 h of the move
    statuses = sorted(appointment.reminders.values_list("status", flat=True))
    assert statuses == [Reminder.Status.SENT]
    assert len(reminders_sent()) == 1


def test_a_reminder_for_a_moved_booking_is_never_sent_for_the_time_it_left(diary):
    """Even if the move happens after the reminder was due but before any
    worker ran: the worker runs later and sends only the new time's."""
    appointment = book(diary)
    later = london(2026, 6, 11, 11, 0)
    move_by_patient(
        appointment=appointment, starts_at=later, now=STARTS - datetime.timedelta(hours=30)
    )
    run_worker_at(STARTS - datetime.timedelta(hours=2))
    assert reminders_sent() == []


def test_a_reminder_that_was_due_while_the_worker_was_down_is_missed_after_the_start(diary):
    appointment = book(diary)
    assert run_worker_at(STARTS + datetime.timedelta(minutes=1)) == []
    assert appointment.reminders.get().status == Reminder.Status.MISSED
    assert reminders_sent() == []


def test_a_patient_without_an_email_address_gets_no_message_but_the_reminder_is_done(diary):
    appointment = book(diary, email="")
    [reminder] = run_worker_at(STARTS - datetime.timedelta(hours=10))
    assert reminder.message is None
    assert appointment.reminders.get().status == Reminder.Status.SENT
    assert reminders_sent() == []


def test_arrived_completed_and_no_show_appointments_are_not_reminded(diary):
    appointment = book(diary)
    move_appointment(appointment=appointment, to_status=Appointment.Status.NO_SHOW, now=BOOKED_AT)
    assert appointment.reminders.get().status == Reminder.Status.CANCELLED


def test_the_worker_runs_the_reminder_job_every_minute(diary):
    from booking.tasks import send_reminders_and_waitlist_offers

    book(diary)
    for minute in (0, 1, 59):
        assert send_reminders_and_waitlist_offers.task_class().validate_datetime(
            datetime.datetime(2026, 6, 3, 9, minute)
        )
    with time_machine.travel(STARTS - datetime.timedelta(hours=20), tick=False):
        send_reminders_and_waitlist_offers.call_local()
    assert len(reminders_sent()) == 1
