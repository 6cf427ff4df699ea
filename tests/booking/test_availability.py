import datetime

import pytest

from booking.availability import free_slots
from booking.models import AvailabilityException, ClinicClosure, OccupiedBlock
from booking.services import book_appointment, hold_slot
from tests.booking.builders import (
    add_hours,
    london,
    make_appointment_type,
    make_clinician,
    make_diary,
    make_location,
)

pytestmark = pytest.mark.django_db

NOW = london(2026, 3, 2, 7, 0)  # Monday 2 March 2026, 7:00 GMT
TUESDAY = datetime.date(2026, 3, 3)
SATURDAY = datetime.date(2026, 3, 7)


def local_times(slots, day=None):
    return [
        slot.local_starts_at.strftime("%H:%M")
        for slot in slots
        if day is None or slot.local_starts_at.date() == day
    ]


def slots_on(day, appointment_type, now=NOW, **kwargs):
    return free_slots(appointment_type=appointment_type, start=day, days=1, now=now, **kwargs)


def test_a_day_can_have_several_ranges_of_hours():
    _, _, appointment_type = make_diary(ranges=(("09:00", "12:30"), ("13:30", "17:00")))
    appointment_type.duration_minutes = 45
    appointment_type.save()
    times = local_times(slots_on(TUESDAY, appointment_type))
    assert times[:2] == ["09:00", "09:15"]
    assert "11:45" in times and "12:00" not in times  # 11:45 + 45 min ends at 12:30
    assert "13:15" not in times and "13:30" in times
    assert times[-1] == "16:15"
    assert len(times) == 24


def test_slots_are_labelled_in_the_clinics_time_zone():
    _, _, appointment_type = make_diary()
    first = slots_on(TUESDAY, appointment_type)[0]
    assert first.label == "Tue 3 Mar 2026, 09:00 GMT"
    assert first.starts_at.utcoffset() == datetime.timedelta(0)


def test_a_day_of_leave_has_no_slots_and_training_removes_only_its_hours():
    _, (clinician,), appointment_type = make_diary()
    AvailabilityException.objects.create(clinician=clinician, date=TUESDAY, reason="Leave")
    AvailabilityException.objects.create(
        clinician=clinician,
        date=TUESDAY + datetime.timedelta(days=1),
        starts=datetime.time(9),
        ends=datetime.time(11),
        reason="Training",
    )
    assert slots_on(TUESDAY, appointment_type) == []
    wednesday = local_times(slots_on(TUESDAY + datetime.timedelta(days=1), appointment_type))
    assert wednesday[0] == "11:00"


def test_an_extra_saturday_adds_slots_at_its_location():
    location, (clinician,), appointment_type = make_diary()
    assert slots_on(SATURDAY, appointment_type) == []
    AvailabilityException.objects.create(
        clinician=clinician,
        kind=AvailabilityException.Kind.EXTRA,
        date=SATURDAY,
        starts=datetime.time(10),
        ends=datetime.time(11),
        location=location,
    )
    slots = slots_on(SATURDAY, appointment_type)
    assert local_times(slots) == ["10:00", "10:15", "10:30"]
    assert {slot.location_id for slot in slots} == {location.pk}


def test_a_clinic_wide_closure_closes_every_location_and_a_local_one_only_its_own():
    location, (clinician,), appointment_type = make_diary()
    other = make_location()
    add_hours(clinician, other, [3], ("14:00", "15:00"))
    wednesday = TUESDAY + datetime.timedelta(days=1)
    ClinicClosure.objects.create(date=TUESDAY, name="Bank holiday")
    ClinicClosure.objects.create(date=wednesday, name="Boiler repair", location=other)
    assert slots_on(TUESDAY, appointment_type) == []
    assert {slot.location_id for slot in slots_on(wednesday, appointment_type)} == {location.pk}


def test_the_buffer_after_a_booked_appointment_is_not_offered():
    location = make_location()
    clinician = make_clinician(buffer_minutes=15)
    add_hours(clinician, location, [2], ("09:00", "12:30"))
    appointment_type = make_appointment_type(clinicians=[clinician])
    book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(2026, 3, 3, 10, 0),
        patient_name="Ada",
        now=NOW,
    )
    times = local_times(slots_on(TUESDAY, appointment_type))
    assert "09:15" in times and "09:30" not in times  # 9:30–10:00 + 15 min runs into 10:00
    assert "10:30" not in times and "10:45" in times


def test_minimum_notice_hides_slots_starting_too_soon():
    _, _, appointment_type = make_diary()
    monday = NOW.date()
    assert (
        local_times(slots_on(monday, appointment_type, now=london(2026, 3, 2, 8, 0)))[0] == "10:00"
    )


def test_nothing_is_offered_beyond_the_horizon(settings):
    settings.BOOKING_HORIZON_WEEKS = 1
    _, _, appointment_type = make_diary()
    slots = free_slots(appointment_type=appointment_type, now=london(2026, 3, 2, 10, 0))
    assert local_times(slots, datetime.date(2026, 3, 9)) == ["09:00", "09:15", "09:30", "09:45"]
    assert slots[0].label == "Mon 2 Mar 2026, 12:00 GMT"


def test_a_held_time_is_not_offered_until_the_hold_expires(settings):
    location, (clinician,), appointment_type = make_diary()
    hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(2026, 3, 3, 10, 0),
        now=NOW,
    )
    assert "10:00" not in local_times(slots_on(TUESDAY, appointment_type))
    expired = NOW + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    assert "10:00" in local_times(slots_on(TUESDAY, appointment_type, now=expired))


def _night_of_clock_change(day):
    location = make_location()
    clinician = make_clinician()
    add_hours(clinician, location, [7], ("00:30", "03:00"))  # Sunday
    return make_appointment_type(clinicians=[clinician])


def test_no_slot_starts_at_a_time_that_does_not_exist_when_the_clocks_go_forward():
    sunday = datetime.date(2026, 3, 29)
    appointment_type = _night_of_clock_change(sunday)
    slots = slots_on(sunday, appointment_type, now=london(2026, 3, 20, 9, 0))
    assert [slot.label[-9:] for slot in slots] == [
        "00:30 GMT",
        "00:45 GMT",
        "02:00 BST",
        "02:15 BST",
        "02:30 BST",
    ]
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=30) for s in slots)


def test_the_repeated_hour_is_offered_once_per_real_instant_when_the_clocks_go_back():
    sunday = datetime.date(2026, 10, 25)
    appointment_type = _night_of_clock_change(sunday)
    slots = slots_on(sunday, appointment_type, now=london(2026, 10, 20, 9, 0))
    labels = [slot.label[-9:] for slot in slots]
    assert labels[:6] == [
        "00:30 BST",
        "00:45 BST",
        "01:00 BST",
        "01:15 BST",
        "01:30 BST",
        "01:45 BST",
    ]
    assert labels[6:] == [
        "01:00 GMT",
        "01:15 GMT",
        "01:30 GMT",
        "01:45 GMT",
        "02:00 GMT",
        "02:15 GMT",
        "02:30 GMT",
    ]
    starts = [slot.starts_at for slot in slots]
    assert len(set(starts)) == len(starts) == 13
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=30) for s in slots)
    assert starts[0] == datetime.datetime(2026, 10, 24, 23, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("clinicians", "weeks"), [(1, 1), (20, 1), (1, 8), (20, 8)])
def test_the_slot_search_costs_the_same_queries_however_many_clinicians_and_weeks(
    clinicians, weeks, django_assert_num_queries
):
    # Guards against one query per clinician, per day or per appointment.
    location, team, appointment_type = make_diary(
        clinicians=clinicians, ranges=(("09:00", "12:30"), ("13:30", "17:00"))
    )
    for clinician in team:
        AvailabilityException.objects.create(clinician=clinician, date=TUESDAY, reason="Leave")
        book_appointment(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=london(2026, 3, 4, 10, 0),
            patient_name="Ada",
            now=NOW,
        )
    ClinicClosure.objects.create(date=datetime.date(2026, 3, 6), name="Closed")
    # The content version, the clinicians, the occupied blocks, then the
    # rules: weekly hours, leave and closures.
    with django_assert_num_queries(6):
        slots = free_slots(
            appointment_type=appointment_type, start=NOW.date(), days=weeks * 7, now=NOW
        )
    # Searched again, the clinicians and rules of this content version are
    # known: only the version and the blocks are read.
    with django_assert_num_queries(2):
        again = free_slots(
            appointment_type=appointment_type, start=NOW.date(), days=weeks * 7, now=NOW
        )
    assert again == slots
    assert len({slot.clinician_id for slot in slots}) == clinicians
    assert slots[-1].starts_at > NOW + datetime.timedelta(days=weeks * 7 - 4)


def test_blocks_with_a_gap_between_them_block_only_their_own_times():
    # Code only ever claims an appointment's blocks in one unbroken run; the
    # search reads runs, but a run with a gap (made by hand here) is read
    # block by block and stays exact.
    location, (clinician,), appointment_type = make_diary()
    appointment = book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(2026, 3, 3, 10, 0),
        patient_name="Ada",
        now=NOW,
    )
    taken = OccupiedBlock.objects.filter(appointment=appointment).order_by("starts_at")
    assert taken.count() > 2
    taken.exclude(pk=taken.first().pk).delete()
    OccupiedBlock.objects.create(
        clinician=clinician, starts_at=london(2026, 3, 3, 11, 0), appointment=appointment
    )
    times = local_times(slots_on(TUESDAY, appointment_type))
    # Half-hour slots, no buffer: only those covering 10:00 or 11:00 are taken,
    # never those in between, as they would be if the two blocks were one run.
    assert "09:30" in times and "10:00" not in times
    assert "10:15" in times and "10:30" in times
    assert "11:00" not in times and "11:15" in times


def test_leave_added_after_a_search_shows_in_the_next_search():
    _, (clinician,), appointment_type = make_diary()
    assert local_times(slots_on(TUESDAY, appointment_type))
    AvailabilityException.objects.create(clinician=clinician, date=TUESDAY, reason="Leave")
    assert local_times(slots_on(TUESDAY, appointment_type)) == []
    ClinicClosure.objects.create(date=TUESDAY + datetime.timedelta(days=1), name="Closed")
    assert slots_on(TUESDAY + datetime.timedelta(days=1), appointment_type) == []
