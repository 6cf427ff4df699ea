"""The week of times is rendered once per state of the diary and kept in the
cache (booking/day_page.py): whatever changes what a patient may book shows
on the very next view, and each visitor's page carries their own token."""

import datetime
import re

import pytest
import time_machine
from django.test import Client

from booking.availability import Slot
from booking.forms import slot_value
from booking.models import AvailabilityException, Hold
from booking.services import book_appointment, hold_slot
from tests.booking.builders import (
    london,
)
from tests.booking.flow import answer_warning_signs, choose

pytestmark = pytest.mark.django_db

NOW = london(2026, 3, 2, 7, 0)  # Monday 2 March 2026, 7:00 GMT


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def patient_at_the_times(diary):
    location, _, appointment_type = diary
    client = Client()
    answer_warning_signs(client)
    choose(client, appointment_type, location)  # the first available clinician
    return client


def times_on_the_page(client):
    return re.findall(r'name="slot" value="([^"]+)"', client.get("/book/times/").text)


def value(clinician, hour, minute=0):
    """The button's value for Monday 2 March at hour:minute, UK time."""
    starts_at = london(2026, 3, 2, hour, minute).astimezone(datetime.UTC)
    return slot_value(Slot(starts_at, clinician.pk, 0, starts_at))


def test_a_time_booked_by_someone_else_leaves_the_week_at_once(diary):
    location, clinician, appointment_type = diary
    patient = patient_at_the_times(diary)
    assert value(clinician, 10) in times_on_the_page(patient)
    book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(2026, 3, 2, 10, 0),
        patient_name="Someone else",
    )
    times = times_on_the_page(patient)
    assert value(clinician, 10) not in times
    assert value(clinician, 9) in times and value(clinician, 11) in times


def test_a_held_time_leaves_the_week_and_comes_back_when_the_hold_lapses(diary):
    location, clinician, appointment_type = diary
    patient = patient_at_the_times(diary)
    assert value(clinician, 10) in times_on_the_page(patient)
    hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(2026, 3, 2, 10, 0),
    )
    assert value(clinician, 10) not in times_on_the_page(patient)
    Hold.objects.update(expires_at=NOW - datetime.timedelta(seconds=1))
    assert value(clinician, 10) in times_on_the_page(patient)


def test_a_held_time_comes_back_as_the_clock_passes_the_end_of_its_hold(diary, frozen_clock):
    location, clinician, appointment_type = diary
    frozen_clock.move_to(NOW + datetime.timedelta(seconds=1))
    patient = patient_at_the_times(diary)
    hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(2026, 3, 2, 10, 0),
    )
    Hold.objects.update(expires_at=NOW + datetime.timedelta(seconds=30))
    assert value(clinician, 10) not in times_on_the_page(patient)
    # Nothing is written as the hold lapses, and the notice still cuts the
    # day at the same five minutes.
    frozen_clock.move_to(NOW + datetime.timedelta(seconds=31))
    assert value(clinician, 10) in times_on_the_page(patient)


def test_leave_added_by_staff_empties_the_day_at_once(diary):
    _, clinician, _ = diary
    patient = patient_at_the_times(diary)
    assert value(clinician, 10) in times_on_the_page(patient)
    AvailabilityException.objects.create(clinician=clinician, date=NOW.date(), reason="Leave")
    assert not any(
        value.split("|")[1].startswith("2026-03-02") for value in times_on_the_page(patient)
    )


def test_a_time_leaves_the_week_as_the_clock_passes_its_notice(diary, frozen_clock):
    _, clinician, _ = diary
    patient = patient_at_the_times(diary)
    assert times_on_the_page(patient)[0] == value(clinician, 9)  # two hours' notice from 7:00
    frozen_clock.move_to(NOW + datetime.timedelta(minutes=1))
    assert times_on_the_page(patient)[0] == value(clinician, 9, 15)


def test_each_visitor_gets_the_week_with_their_own_token_and_can_hold_from_it(diary):
    _, clinician, _ = diary
    pages = []
    for _ in range(2):
        patient = patient_at_the_times(diary)
        patient.handler.enforce_csrf_checks = True  # from here on, as a browser is checked
        page = patient.get("/book/times/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert "placeholder" not in page
        pages.append((patient, page, token))
    (first, first_page, first_token), (second, _, second_token) = pages
    assert first_token != second_token
    # One form for the whole week, so one token, however many days have times.
    assert first_page.count('class="booking-day"') > 1
    assert first_page.count('action="/book/hold/"') == 1
    assert first_page.count(first_token) == first_page.count('name="csrfmiddlewaretoken"') == 1
    held = second.post(
        "/book/hold/", {"slot": value(clinician, 10), "csrfmiddlewaretoken": second_token}
    )
    assert held.status_code == 302 and held["Location"] == "/book/details/"
    refused = first.post(
        "/book/hold/", {"slot": value(clinician, 11), "csrfmiddlewaretoken": second_token}
    )
    assert refused.status_code == 403


def test_another_look_at_the_same_week_is_not_searched_again(diary, django_assert_num_queries):
    patient = patient_at_the_times(diary)
    first = patient.get("/book/times/").text
    # The content version (and the session and the diary's fingerprint, on
    # the driver's own cursor, which Django does not count): no clinician,
    # hours, leave or block is read again.
    with django_assert_num_queries(1):
        again = patient.get("/book/times/").text
    assert re.sub(r'value="[^"]{40,}"', "", again) == re.sub(r'value="[^"]{40,}"', "", first)
