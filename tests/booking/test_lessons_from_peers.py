"""What goes wrong in other booking systems (shared/booking/lessons-from-peers.md),
tested on the patient's booking pages: each test names its lesson."""

import datetime

import pytest
import time_machine
from django.test import Client

from booking.availability import free_slots
from booking.forms import slot_value
from booking.manage_links import manage_path
from booking.models import Appointment
from booking.patient_booking import book_online
from booking.services import hold_slot
from tests.booking.builders import (
    add_hours,
    london,
    make_appointment_type,
    make_clinician,
    make_location,
)
from tests.booking.flow import (
    EVERY_DAY,
    answer_warning_signs,
    choose,
    first_free_slot,
    free_slot_bookable_for,
    walk_to_review,
)
from tests.booking.mail import calendar_of, sent_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary():
    location = make_location()
    clinician = make_clinician()
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], bookable_online=True)
    return location, clinician, appointment_type


def times_page(client, location, clinician, appointment_type, **query):
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    return client.get("/book/times/", query).text


def test_two_tabs_cannot_both_book_one_time(diary):
    """Lesson: two browser tabs, or two patients a second apart, both get the
    same slot when availability is read, then written."""
    location, clinician, appointment_type = diary
    slot = free_slot_bookable_for(appointment_type, clinician, minutes=11)
    first_tab, second_tab = Client(), Client()
    walk_to_review(first_tab, location, clinician, appointment_type, slot)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=11)):
        # The first tab's hold has lapsed; the second tab reaches the same time.
        walk_to_review(second_tab, location, clinician, appointment_type, slot)
        assert first_tab.post("/book/review/").status_code == 409
        assert second_tab.post("/book/review/").status_code == 302
    assert Appointment.objects.count() == 1


def test_a_booking_awaiting_confirmation_still_takes_its_time(diary, settings, client):
    """Lesson: bookings waiting for confirmation are invisible to the
    availability check, so confirming one double-books."""
    settings.BOOKING_CONFIRMATION = "staff"
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    client.post("/book/review/")
    assert Appointment.objects.get().status == Appointment.Status.BOOKED
    assert slot_value(slot) not in times_page(Client(), location, clinician, appointment_type)
    other = Client()
    answer_warning_signs(other)
    choose(other, appointment_type, location, clinician)
    taken = other.post("/book/hold/", {"slot": slot_value(slot)})
    assert taken.status_code == 409
    assert "just been taken" in taken.text


def test_a_held_time_is_not_offered_to_anyone_else(diary, client):
    """Lesson: held slots (Cliniko holds a chosen time for 7.5 minutes while
    the patient types): while held, nobody else can take it."""
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    assert slot_value(slot) not in times_page(Client(), location, clinician, appointment_type)
    response = Client().post("/book/hold/", {"slot": slot_value(slot)})
    assert response.status_code in (302, 409)


def test_a_hold_lapses_when_its_minutes_are_up(diary, client, settings):
    """Lesson: held slots are held for a few minutes, not for ever: after
    BOOKING_HOLD_MINUTES the time is free again and the patient is told."""
    location, clinician, appointment_type = diary
    slot = free_slot_bookable_for(appointment_type, clinician, settings.BOOKING_HOLD_MINUTES + 1)
    walk_to_review(client, location, clinician, appointment_type, slot)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        minutes=settings.BOOKING_HOLD_MINUTES, seconds=1
    )
    with time_machine.travel(later):
        assert slot_value(slot) in times_page(Client(), location, clinician, appointment_type)
        assert "no longer holding this time" in client.get("/book/review/").text


def test_a_move_cannot_take_a_time_another_patient_holds(diary, client, settings):
    """Lesson: a path (here the patient's reschedule) that skips the check the
    booking path has."""
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    location, clinician, appointment_type = diary
    first = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, first)
    client.post("/book/review/")
    appointment = Appointment.objects.get()
    held = hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=next(
            s.starts_at
            for s in free_slots(appointment_type=appointment_type, clinicians=[clinician])
            if s.starts_at > appointment.ends_at
        ),
    )
    response = client.post(
        manage_path(appointment), {"slot": f"{clinician.pk}|{held.starts_at.isoformat()}"}
    )
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.starts_at == first.starts_at


def test_the_calendar_file_is_not_an_hour_out_after_the_clocks_change(diary, smtp):
    """Lesson: calendar files an hour out after the clocks change: the .ics
    carries the clinic's TZID and VTIMEZONE, and 10:00 BST is 09:00 UTC."""
    location, clinician, appointment_type = diary
    with time_machine.travel(london(2027, 3, 25, 9, 0), tick=False):
        appointment = book_online(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=london(2027, 3, 29, 10, 0),
            answers={
                "patient_name": "Ada",
                "patient_email": "ada@example.com",
                "patient_phone": "",
            },
            hold_token=None,
        )
        (message,) = sent_emails(smtp)
    calendar, event = calendar_of(message)
    assert event["DTSTART"].to_ical() == b"20270329T100000"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART").astimezone(datetime.UTC).hour == 9
    assert event.decoded("DTSTART") == appointment.starts_at
    assert calendar.walk("VTIMEZONE")


def test_the_day_view_shows_wall_clock_times_across_the_clock_change(diary, client):
    """Lesson: bookings an hour early after the clocks change: the day view
    shows 09:00 on both sides of 28 March 2027 and books exactly that."""
    location, clinician, appointment_type = diary
    with time_machine.travel(london(2027, 3, 25, 6, 0), tick=False):
        page = times_page(client, location, clinician, appointment_type, **{"from": "2027-03-27"})
        for day in (london(2027, 3, 27, 9, 0), london(2027, 3, 29, 9, 0)):
            assert f"{clinician.pk}|{day.astimezone(datetime.UTC).isoformat()}" in page
        assert "Saturday 27 March" in page and "Monday 29 March" in page


def test_patients_cancel_without_an_account_until_the_cut_off_then_see_the_phone(
    diary, client, settings
):
    """Lesson: patients ask for cancel and reschedule links that need no
    account; clinic software sets a cut-off after which the link shows the
    clinic's phone number."""
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    client.post("/book/review/")
    appointment = Appointment.objects.get()
    anonymous = Client()
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    assert "Cancel this appointment" in anonymous.get(manage_path(appointment)).text
    with time_machine.travel(appointment.starts_at - datetime.timedelta(minutes=1)):
        settings.BOOKING_CHANGE_CUTOFF_HOURS = 1
        assert "Please phone the clinic" in anonymous.get(manage_path(appointment)).text
