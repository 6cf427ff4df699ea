"""Small builders for the practice and its diary: each makes one valid object
and takes overrides for what a test cares about."""

import datetime
import itertools
import zoneinfo

from booking.models import WeeklyHours
from practice.models import AppointmentType, Clinician, Location

_numbers = itertools.count(1)
LONDON = zoneinfo.ZoneInfo("Europe/London")


def london(year, month, day, hour=0, minute=0, *, fold=0):
    """An aware instant given in London wall-clock time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)


def make_location(**fields):
    number = next(_numbers)
    fields.setdefault("name", f"Clinic {number}")
    fields.setdefault("slug", f"clinic-{number}")
    fields.setdefault("address", f"{number} High Street\nLondon\nN1 1AA")
    fields.setdefault("phone", "020 7946 0000")
    return Location.objects.create(**fields)


def make_clinician(**fields):
    number = next(_numbers)
    fields.setdefault("name", f"Dr Test {number}")
    fields.setdefault("slug", f"dr-test-{number}")
    fields.setdefault("role", "Physiotherapist")
    fields.setdefault("buffer_minutes", 0)
    return Clinician.objects.create(**fields)


def make_appointment_type(clinicians=(), **fields):
    number = next(_numbers)
    fields.setdefault("name", f"Consultation {number}")
    fields.setdefault("slug", f"consultation-{number}")
    fields.setdefault("duration_minutes", 30)
    fields.setdefault("price", "£90")
    appointment_type = AppointmentType.objects.create(**fields)
    appointment_type.clinicians.set(clinicians)
    return appointment_type


def add_hours(clinician, location, weekdays, *ranges):
    """Weekly hours on each of `weekdays` (1 = Monday), e.g. ("09:00", "12:30")."""
    for weekday in weekdays:
        for starts, ends in ranges:
            WeeklyHours.objects.create(
                clinician=clinician,
                location=location,
                weekday=weekday,
                starts=datetime.time.fromisoformat(starts),
                ends=datetime.time.fromisoformat(ends),
            )


def make_diary(*, clinicians=1, weekdays=(1, 2, 3, 4, 5), ranges=(("09:00", "12:30"),)):
    """A location, `clinicians` clinicians working there and a 30-minute type
    they all offer."""
    location = make_location()
    team = [make_clinician() for _ in range(clinicians)]
    for clinician in team:
        add_hours(clinician, location, weekdays, *ranges)
    return location, team, make_appointment_type(clinicians=team)
