import datetime
import json
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from booking.models import Appointment, Hold, OccupiedBlock
from booking.services import (
    NotAllowed,
    OutsideAvailability,
    SlotTaken,
    book_appointment,
    hold_slot,
    move_appointment,
    release_hold,
    reschedule_appointment,
)
from tests.booking import race
from tests.booking.builders import london, make_clinician, make_diary
from tests.live_site import PROJECT, site_database, site_env

pytestmark = pytest.mark.django_db

NOW = london(2026, 3, 2, 7, 0)  # Monday 2 March 2026, 7:00
TUESDAY_10 = london(2026, 3, 3, 10, 0)


def book(location, clinician, appointment_type, starts_at, **fields):
    fields.setdefault("patient_name", "Ada Lovelace")
    fields.setdefault("patient_email", "ada@example.com")
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        now=fields.pop("now", NOW),
        **fields,
    )


@pytest.fixture
def diary():
    location, (clinician,), appointment_type = make_diary()
    return location, clinician, appointment_type


def test_the_database_refuses_two_claims_on_one_block_whatever_the_path(diary):
    location, clinician, appointment_type = diary
    first = book(location, clinician, appointment_type, TUESDAY_10)
    other = book(location, clinician, appointment_type, london(2026, 3, 4, 10, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        OccupiedBlock.objects.create(
            clinician=clinician, starts_at=first.starts_at, appointment=other
        )


def test_an_overlapping_booking_is_just_taken_and_offers_the_nearest_free_times(diary):
    location, clinician, appointment_type = diary
    book(location, clinician, appointment_type, TUESDAY_10)
    with pytest.raises(SlotTaken) as taken:
        book(location, clinician, appointment_type, TUESDAY_10 + datetime.timedelta(minutes=15))
    assert "just been taken" in str(taken.value)
    nearest = [slot.local_starts_at.strftime("%H:%M") for slot in taken.value.nearest]
    assert nearest == ["09:30", "10:30", "10:45"]
    assert Appointment.objects.count() == 1


def test_the_buffer_after_an_appointment_cannot_be_booked(diary):
    location, _, appointment_type = diary
    clinician = make_clinician(buffer_minutes=15)
    appointment_type.clinicians.add(clinician)
    from tests.booking.builders import add_hours

    add_hours(clinician, location, [2], ("09:00", "12:30"))
    book(location, clinician, appointment_type, TUESDAY_10)
    with pytest.raises(SlotTaken):
        book(location, clinician, appointment_type, london(2026, 3, 3, 10, 30))
    with pytest.raises(SlotTaken):  # its own buffer would run into the 10:00 appointment
        book(location, clinician, appointment_type, london(2026, 3, 3, 9, 30))
    assert book(location, clinician, appointment_type, london(2026, 3, 3, 10, 45))


def test_two_clinicians_can_be_booked_at_the_same_time():
    location, (first, second), appointment_type = make_diary(clinicians=2)
    book(location, first, appointment_type, TUESDAY_10)
    book(location, second, appointment_type, TUESDAY_10)
    assert Appointment.objects.filter(starts_at=TUESDAY_10).count() == 2


def test_a_time_outside_the_clinicians_hours_is_refused_and_nothing_is_stored(diary):
    location, clinician, appointment_type = diary
    with pytest.raises(OutsideAvailability):
        book(location, clinician, appointment_type, london(2026, 3, 3, 12, 15))  # ends 12:45
    with pytest.raises(OutsideAvailability):
        book(location, clinician, appointment_type, london(2026, 3, 2, 8, 0))  # too little notice
    assert not Appointment.objects.exists()
    assert not OccupiedBlock.objects.exists()


def test_only_a_clinician_who_offers_the_type_can_be_booked_for_it(diary):
    location, _, appointment_type = diary
    other = make_clinician()
    with pytest.raises(NotAllowed, match="does not offer"):
        book(location, other, appointment_type, TUESDAY_10)


def test_a_type_not_bookable_online_is_refused_online_and_booked_by_staff(diary):
    location, clinician, appointment_type = diary
    appointment_type.bookable_online = False
    appointment_type.save()
    with pytest.raises(NotAllowed, match="booked by phone"):
        book(location, clinician, appointment_type, TUESDAY_10)
    with pytest.raises(NotAllowed):
        hold_slot(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=TUESDAY_10,
            now=NOW,
        )
    receptionist = get_user_model().objects.create_user("reception", password="x" * 12)
    assert book(location, clinician, appointment_type, TUESDAY_10, booked_by=receptionist)


def test_a_held_time_cannot_be_booked_by_someone_else(diary):
    location, clinician, appointment_type = diary
    hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=TUESDAY_10,
        now=NOW,
    )
    with pytest.raises(SlotTaken):
        book(location, clinician, appointment_type, TUESDAY_10)


def test_the_patient_holding_a_time_books_it(diary):
    location, clinician, appointment_type = diary
    hold = hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=TUESDAY_10,
        now=NOW,
    )
    appointment = book(location, clinician, appointment_type, TUESDAY_10, hold_token=hold.token)
    assert not Hold.objects.exists()
    assert appointment.blocks.count() == 6


def test_an_expired_hold_is_released_before_the_next_claim(diary, settings):
    location, clinician, appointment_type = diary
    hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=TUESDAY_10,
        now=NOW,
    )
    later = NOW + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    assert book(location, clinician, appointment_type, TUESDAY_10, now=later)
    assert not Hold.objects.exists()


def test_a_released_hold_frees_the_time_at_once(diary):
    location, clinician, appointment_type = diary
    hold = hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=TUESDAY_10,
        now=NOW,
    )
    release_hold(token=hold.token)
    assert book(location, clinician, appointment_type, TUESDAY_10)


def test_a_cancelled_appointment_gives_its_time_back_and_a_no_show_does_not(diary):
    location, clinician, appointment_type = diary
    cancelled = book(location, clinician, appointment_type, TUESDAY_10)
    move_appointment(appointment=cancelled, to_status=Appointment.Status.CANCELLED_BY_PATIENT)
    rebooked = book(location, clinician, appointment_type, TUESDAY_10)
    move_appointment(appointment=rebooked, to_status=Appointment.Status.NO_SHOW)
    assert rebooked.blocks.count() == 6


def test_rescheduling_into_a_taken_time_keeps_the_old_time(diary):
    location, clinician, appointment_type = diary
    book(location, clinician, appointment_type, TUESDAY_10)
    moving = book(location, clinician, appointment_type, london(2026, 3, 3, 11, 0))
    with pytest.raises(SlotTaken):
        reschedule_appointment(appointment=moving, starts_at=TUESDAY_10, now=NOW)
    moving.refresh_from_db()
    assert moving.starts_at == london(2026, 3, 3, 11, 0)
    assert moving.blocks.count() == 6


def test_rescheduling_moves_the_claimed_time_with_the_appointment(diary):
    location, clinician, appointment_type = diary
    moving = book(location, clinician, appointment_type, TUESDAY_10)
    reschedule_appointment(appointment=moving, starts_at=london(2026, 3, 3, 10, 15), now=NOW)
    assert moving.starts_at == london(2026, 3, 3, 10, 15)
    assert book(location, clinician, appointment_type, london(2026, 3, 3, 9, 30))
    with pytest.raises(SlotTaken):
        book(location, clinician, appointment_type, london(2026, 3, 3, 10, 30))


def test_each_status_move_records_who_made_it_and_when(diary, settings):
    settings.BOOKING_CONFIRMATION = "staff"
    location, clinician, appointment_type = diary
    receptionist = get_user_model().objects.create_user("reception", password="x" * 12)
    appointment = book(location, clinician, appointment_type, TUESDAY_10, booked_by=receptionist)
    assert appointment.status == Appointment.Status.BOOKED
    arrival = london(2026, 3, 3, 9, 55)
    move_appointment(
        appointment=appointment,
        to_status=Appointment.Status.CONFIRMED,
        by=receptionist,
        now=NOW + datetime.timedelta(minutes=1),
    )
    move_appointment(
        appointment=appointment, to_status=Appointment.Status.ARRIVED, by=receptionist, now=arrival
    )
    moves = list(appointment.status_changes.values_list("to_status", "changed_by_label"))
    assert moves == [("booked", "reception"), ("confirmed", "reception"), ("arrived", "reception")]
    assert appointment.status_changes.last().changed_at == arrival


def test_automatic_confirmation_is_recorded_as_automatic(diary):
    location, clinician, appointment_type = diary
    appointment = book(location, clinician, appointment_type, TUESDAY_10)
    assert appointment.status == Appointment.Status.CONFIRMED
    moves = list(appointment.status_changes.values_list("to_status", "changed_by_label"))
    assert moves == [("booked", "patient"), ("confirmed", "automatic")]


def test_a_finished_appointment_cannot_be_moved_back(diary):
    location, clinician, appointment_type = diary
    appointment = book(location, clinician, appointment_type, TUESDAY_10)
    move_appointment(appointment=appointment, to_status=Appointment.Status.NO_SHOW)
    with pytest.raises(NotAllowed):
        move_appointment(appointment=appointment, to_status=Appointment.Status.ARRIVED)


def test_fifty_patients_racing_for_one_slot_leave_exactly_one_appointment(tmp_path):
    """Fifty threads, each with its own connection to a real database (a SQLite
    file, or PostgreSQL when DATABASE_URL is set), book the same time at once."""
    with site_database(tmp_path) as database:
        result = subprocess.run(
            [sys.executable, "-m", "tests.booking.race"],
            cwd=PROJECT,
            env=site_env(database.env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        stored = database.query("SELECT count(*) FROM booking_appointment")[0][0]
    outcomes = report["outcomes"]
    assert [o for o in outcomes if "error" in o] == []
    winners = [o for o in outcomes if "booked" in o]
    losers = [o for o in outcomes if "taken" in o]
    assert len(winners) == 1
    assert len(losers) == race.PATIENTS - 1
    assert stored == 1
    for loser in losers:
        assert "just been taken" in loser["taken"]
        assert loser["nearest"] == [
            "2026-03-03T09:15:00+00:00",
            "2026-03-03T09:30:00+00:00",
            "2026-03-03T10:30:00+00:00",
        ]
