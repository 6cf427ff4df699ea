"""The staff diary: a day or a week of one clinician's or one location's
appointments and free times, in the clinic's time zone.

Free times come from `free_slots` for one appointment type (its length sets
which starts fit). Consecutive free starts with the same clinician and
location are shown as one free range with a link per start, so a page stays
short enough to print.

A diary costs the same handful of queries however many appointments,
clinicians or days it shows: the clinicians, the types, the slot search
(five queries) and the appointments are each read once.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from practice.models import AppointmentType, Clinician, Location

from .availability import UTC, clinic_zone, free_slots
from .models import Appointment, AvailabilityException

DAY = "day"
WEEK = "week"
SPANS = {DAY: 1, WEEK: 7}


def first_day_of(span, day):
    """The first day a diary of `span` showing `day` starts on (weeks start on Monday)."""
    if span == WEEK:
        return day - datetime.timedelta(days=day.weekday())
    return day


def local_day_bounds(first_day, days):
    """The UTC instants the local dates [first_day, first_day + days) begin and end."""
    zone = clinic_zone()
    begins = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    ends = datetime.datetime.combine(
        first_day + datetime.timedelta(days=days), datetime.time.min, tzinfo=zone
    )
    return begins.astimezone(UTC), ends.astimezone(UTC)


def clock(instant):
    """The wall-clock time of a UTC instant in the clinic, with its zone
    (09:00 GMT). Formatted by Python, which knows which 01:30 BST or GMT an
    instant in the repeated hour is; Django's "T" leaves such zones out."""
    return f"{instant.astimezone(clinic_zone()):%H:%M %Z}"


def span_label(starts_at, ends_at):
    return f"{clock(starts_at)}–{clock(ends_at)}"


@dataclass
class FreeRange:
    """Free starts in a row with one clinician at one location."""

    clinician: Clinician
    location: Location
    starts: list = field(default_factory=list)
    ends_at: datetime.datetime = None

    is_free = True

    @property
    def starts_at(self):
        return self.starts[0]

    @property
    def time_label(self):
        return span_label(self.starts_at, self.ends_at)


@dataclass
class DiaryDay:
    date: datetime.date
    entries: list

    @property
    def is_today(self):
        return self.date == timezone.localdate(timezone.now(), clinic_zone())


def _free_ranges(slots, clinicians_by_id, locations_by_id, step):
    ranges = []
    current = {}
    for slot in sorted(slots, key=lambda s: (s.clinician_id, s.location_id, s.starts_at)):
        key = (slot.clinician_id, slot.location_id)
        run = current.get(key)
        if run is None or slot.starts_at != run.starts[-1] + step:
            run = FreeRange(
                clinician=clinicians_by_id[slot.clinician_id], location=locations_by_id[key[1]]
            )
            current[key] = run
            ranges.append(run)
        run.starts.append(slot.starts_at)
        run.ends_at = slot.ends_at
    return ranges


def clinicians_working_at(location):
    """Active clinicians with weekly or extra hours at `location`."""
    return (
        Clinician.objects.active()
        .filter(
            Q(weekly_hours__location=location)
            | Q(exceptions__location=location, exceptions__kind=AvailabilityException.Kind.EXTRA)
        )
        .distinct()
    )


class Diary:
    """One clinician's (`location` None) or one location's (`clinician` None)
    diary for `span` from `first_day`. Free times are for `appointment_type`,
    chosen among the types the diary's clinicians offer; the shortest when
    none is chosen, as it shows every free gap."""

    def __init__(self, *, span, day, clinician=None, location=None, type_id=None, now=None):
        self.span = span
        self.clinician = clinician
        self.location = location
        self.first_day = first_day_of(span, day)
        self.days_shown = SPANS[span]
        self.now = now or timezone.now()
        if clinician is not None:
            self.clinicians = [clinician] if clinician.is_active else []
        else:
            self.clinicians = list(clinicians_working_at(location))
        self.appointment_types = (
            list(
                AppointmentType.objects.filter(clinicians__in=[c.pk for c in self.clinicians])
                .distinct()
                .order_by("duration_minutes", "order", "name")
            )
            if self.clinicians
            else []
        )
        self.appointment_type = next(
            (t for t in self.appointment_types if str(t.pk) == str(type_id)),
            self.appointment_types[0] if self.appointment_types else None,
        )

    @property
    def last_day(self):
        return self.first_day + datetime.timedelta(days=self.days_shown - 1)

    def step(self, direction):
        """The first day of the previous (-1) or next (1) day or week."""
        return self.first_day + datetime.timedelta(days=direction * self.days_shown)

    def appointments(self):
        begins, ends = local_day_bounds(self.first_day, self.days_shown)
        appointments = Appointment.objects.filter(starts_at__gte=begins, starts_at__lt=ends)
        if self.clinician is not None:
            appointments = appointments.filter(clinician=self.clinician)
        else:
            appointments = appointments.filter(location=self.location)
        return appointments.select_related(
            "clinician", "location", "appointment_type"
        ).with_patient_no_shows()

    def free_slots(self):
        if self.appointment_type is None:
            return []
        offering = set(
            self.appointment_type.clinicians.filter(
                pk__in=[c.pk for c in self.clinicians]
            ).values_list("pk", flat=True)
        )
        return free_slots(
            appointment_type=self.appointment_type,
            start=self.first_day,
            days=self.days_shown,
            clinicians=[c for c in self.clinicians if c.pk in offering],
            location=self.location,
            now=self.now,
        )

    def days(self):
        """Each day's booked appointments and free ranges, in time order."""
        zone = clinic_zone()
        by_day = {self.first_day + datetime.timedelta(days=n): [] for n in range(self.days_shown)}
        for appointment in self.appointments():
            appointment.time_label = span_label(appointment.starts_at, appointment.ends_at)
            day = appointment.starts_at.astimezone(zone).date()
            by_day.setdefault(day, []).append(appointment)
        slots = self.free_slots()
        clinicians_by_id = {c.pk: c for c in self.clinicians}
        locations_by_id = (
            {self.location.pk: self.location}
            if self.location is not None
            else Location.objects.in_bulk({slot.location_id for slot in slots})
        )
        step = datetime.timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES)
        for free in _free_ranges(slots, clinicians_by_id, locations_by_id, step):
            by_day.setdefault(free.starts_at.astimezone(zone).date(), []).append(free)
        return [
            DiaryDay(date=date, entries=sorted(entries, key=lambda e: e.starts_at))
            for date, entries in by_day.items()
        ]
