"""Free slots: the clinicians' rules (weekly hours, exceptions, closures,
notice and horizon) minus the time appointments and live holds occupy.

Rules are written in the clinic's wall-clock time (settings.TIME_ZONE); every
instant is computed and stored in UTC. A working range is turned into two UTC
instants and slots are stepped through in real time, so on the night the
clocks go forward no slot starts at a time that does not exist, and on the
night they go back the repeated hour is offered once per real instant, each
slot exactly its appointment's length.

A search costs the same five queries for one clinician or twenty, one week or
eight: clinicians, weekly hours, exceptions, closures and occupied blocks are
each read once and combined in Python.
"""

import datetime
import zoneinfo
from bisect import bisect_left
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from .models import (
    BLOCK,
    AvailabilityException,
    ClinicClosure,
    OccupiedBlock,
    WeeklyHours,
)

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = EPOCH.replace(tzinfo=None)  # how SQLite's rows give UTC
ONE_SECOND = datetime.timedelta(seconds=1)
BLOCK_SECONDS = int(BLOCK.total_seconds())


def clinic_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class Slot(NamedTuple):
    """A free time: a search finds thousands, so it is a plain tuple (cheap to
    make and sort), ordered by start, then clinician, location and end."""

    starts_at: datetime.datetime
    clinician_id: int
    location_id: int
    ends_at: datetime.datetime

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(clinic_zone())

    @property
    def label(self):
        """The start in the clinic's time zone, with the zone's name (GMT, BST)."""
        local = self.local_starts_at
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


def blocks_between(starts_at, ends_at):
    """The starts of the blocks covering [starts_at, ends_at)."""
    block = starts_at
    while block < ends_at:
        yield block
        block += BLOCK


def occupied_until(slot_ends_at, buffer_minutes):
    return slot_ends_at + datetime.timedelta(minutes=buffer_minutes)


def _to_utc(day, time, zone, *, fold=0):
    return datetime.datetime.combine(day, time, tzinfo=zone).replace(fold=fold).astimezone(UTC)


@lru_cache(maxsize=4096)
def _window(day, starts, ends, zone):
    # An end in a repeated hour is taken at its later occurrence: the widest reading.
    return _to_utc(day, starts, zone), _to_utc(day, ends, zone, fold=1)


def _subtract(windows, gaps):
    """Windows (start, end, location_id) with the gaps (start, end) cut out."""
    for gap_start, gap_end in gaps:
        remaining = []
        for start, end, location_id in windows:
            if gap_end <= start or gap_start >= end:
                remaining.append((start, end, location_id))
                continue
            if start < gap_start:
                remaining.append((start, gap_start, location_id))
            if gap_end < end:
                remaining.append((gap_end, end, location_id))
        windows = remaining
    return windows


class _Rules:
    """Everything the search needs for some clinicians over some days, read
    in one query per kind of rule."""

    def __init__(self, clinicians, first_day, last_day, location):
        clinician_ids = [clinician.pk for clinician in clinicians]
        hours = WeeklyHours.objects.filter(clinician_id__in=clinician_ids)
        exceptions = AvailabilityException.objects.filter(
            clinician_id__in=clinician_ids, date__gte=first_day, date__lte=last_day
        )
        if location is not None:
            hours = hours.filter(location=location)
            exceptions = exceptions.filter(Q(location=location) | Q(location__isnull=True))
        self.hours = defaultdict(list)
        for row in hours:
            self.hours[row.clinician_id, row.weekday].append(row)
        self.exceptions = defaultdict(list)
        for row in exceptions:
            self.exceptions[row.clinician_id, row.date].append(row)
        self.closed = set(
            ClinicClosure.objects.filter(date__gte=first_day, date__lte=last_day).values_list(
                "date", "location_id"
            )
        )

    def is_closed(self, day, location_id):
        return (day, None) in self.closed or (day, location_id) in self.closed

    def windows(self, clinician_id, day, zone):
        """The UTC ranges the clinician works on one local date, by location."""
        windows = [
            (*_window(day, row.starts, row.ends, zone), row.location_id)
            for row in self.hours[clinician_id, day.isoweekday()]
        ]
        gaps = []
        for exception in self.exceptions[clinician_id, day]:
            if exception.kind == AvailabilityException.Kind.EXTRA:
                windows.append(
                    (*_window(day, exception.starts, exception.ends, zone), exception.location_id)
                )
            elif exception.is_all_day:
                return []
            else:
                gaps.append(_window(day, exception.starts, exception.ends, zone))
        windows = [w for w in windows if not self.is_closed(day, w[2])]
        return sorted(_subtract(windows, gaps))


def _days(first_day, last_day):
    day = first_day
    while day <= last_day:
        yield day
        day += datetime.timedelta(days=1)


def _seconds(instant):
    """Whole seconds since the epoch, rounded up (exact, unlike timestamp())."""
    whole, rest = divmod(instant - EPOCH, ONE_SECOND)
    return whole + (1 if rest else 0)


def _occupied_seconds(blocks):
    """{clinician id: sorted starts of their occupied blocks, in seconds}.

    A search reads thousands of blocks: the rows are read as the database
    driver returns them, skipping Django's per-value conversion, which cost
    more than the rest of the search. SQLite returns the stored UTC text,
    PostgreSQL an aware datetime."""
    sql, params = blocks.query.sql_with_params()
    occupied = defaultdict(list)
    with connections[blocks.db].cursor() as cursor:
        cursor.execute(sql, params)
        for clinician_id, block in cursor.fetchall():
            if isinstance(block, str):
                block = datetime.datetime.fromisoformat(block)
            # A block off the whole second never equals a slot's block: never in the way.
            if not block.microsecond:
                epoch = NAIVE_EPOCH if block.tzinfo is None else EPOCH
                occupied[clinician_id].append((block - epoch) // ONE_SECOND)
    for starts in occupied.values():
        starts.sort()
    return occupied


def _slots(clinicians, appointment_type, first_day, last_day, *, location, now, occupied, step):
    """The free slots, in order. The search runs on whole seconds since the
    epoch rather than datetimes: a slot is free when no occupied block starts
    on its grid within it and its buffer, which a bisect over the
    clinician's sorted blocks answers for a whole working range at once."""
    zone = clinic_zone()
    rules = _Rules(clinicians, first_day, last_day, location)
    duration = appointment_type.duration_minutes * 60
    step = int(step.total_seconds())
    # Any whole second s: s >= x exactly when s >= ceil(x), and s < x when s < ceil(x).
    earliest = _seconds(now + datetime.timedelta(minutes=settings.BOOKING_MINIMUM_NOTICE_MINUTES))
    latest = _seconds(now + datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS))
    days = list(_days(first_day, last_day))
    # Clinicians with the same hours share slot times: each time's instants are made once.
    times_by_range = {}
    found = []
    for clinician in clinicians:
        pk = clinician.pk
        taken = occupied.get(pk, ())
        reach = duration + clinician.buffer_minutes * 60
        for day in days:
            for window_start, window_end, location_id in rules.windows(pk, day, zone):
                start, end = _seconds(window_start), _seconds(window_end)
                # The window's slot starts, cut to the notice and the horizon.
                first = (
                    start if start >= earliest else start + -(-(earliest - start) // step) * step
                )
                starts = range(first, min(end - duration + 1, latest), step)
                if not starts:
                    continue
                times = times_by_range.get(starts)
                if times is None:
                    times = times_by_range[starts] = [
                        (second, _instant(second), _instant(second + duration)) for second in starts
                    ]
                blocks = taken[
                    bisect_left(taken, starts[0]) : bisect_left(taken, starts[-1] + reach)
                ]
                blocked = _blocked(starts, blocks, reach) if blocks else ()
                found += [
                    tuple.__new__(Slot, (starts_at, pk, location_id, ends_at))
                    for second, starts_at, ends_at in times
                    if second not in blocked
                ]
    # Each clinician's slots are already in order: sorting merges the runs.
    found.sort()
    return found


def _instant(second):
    return EPOCH + datetime.timedelta(seconds=second)


def _blocked(starts, blocks, reach):
    """The starts whose slot, with its buffer, would cover an occupied block:
    a block counts when it starts on the slot's own 5-minute grid, as slots'
    blocks are stored, within `reach` seconds from the slot's start."""
    blocked = set()
    step = starts.step
    for block in blocks:
        # Starts s with block - reach < s <= block, on the window's step.
        low = max(0, -(-(block - reach + 1 - starts.start) // step))
        high = min(len(starts) - 1, (block - starts.start) // step)
        for index in range(low, high + 1):
            second = starts[index]
            if (block - second) % BLOCK_SECONDS == 0:
                blocked.add(second)
    return blocked


def _local_day_range(start, days):
    zone = clinic_zone()
    begins = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone).astimezone(UTC)
    ends = datetime.datetime.combine(
        start + datetime.timedelta(days=days), datetime.time.min, tzinfo=zone
    ).astimezone(UTC)
    return begins, ends


def free_slots(
    *, appointment_type, start=None, days=None, clinicians=None, location=None, now=None
):
    """The free slots for an appointment type, earliest first, on `days` local
    dates from `start` (default: today, for the whole booking horizon)."""
    now = now or timezone.now()
    start = start or timezone.localdate(now, clinic_zone())
    days = days or settings.BOOKING_HORIZON_WEEKS * 7 + 1
    if clinicians is None:
        clinicians = list(appointment_type.clinicians.active())
    if not clinicians:
        return []
    begins, ends = _local_day_range(start, days)
    longest_buffer = max(clinician.buffer_minutes for clinician in clinicians)
    occupied = _occupied_seconds(
        OccupiedBlock.objects.filter(
            clinician_id__in=[clinician.pk for clinician in clinicians],
            starts_at__gte=begins,
            starts_at__lt=ends
            + datetime.timedelta(
                days=1, minutes=longest_buffer + appointment_type.duration_minutes
            ),
        )
        .filter(Q(hold__isnull=True) | Q(hold__expires_at__gt=now))
        .values_list("clinician_id", "starts_at")
    )
    step = datetime.timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES)
    last_day = start + datetime.timedelta(days=days - 1)
    return _slots(
        clinicians,
        appointment_type,
        start,
        last_day,
        location=location,
        now=now,
        occupied=occupied,
        step=step,
    )


def fits_rules(*, clinician, location, appointment_type, starts_at, now=None):
    """Whether the clinician works at `location` for the whole appointment at
    `starts_at`, with enough notice and within the horizon. Other bookings are
    not looked at: the database constraint decides those."""
    now = now or timezone.now()
    if starts_at.second or starts_at.microsecond or starts_at.minute % 5:
        return False
    # Compared in UTC: Python never finds a time in the repeated hour (01:30
    # GMT, fold=1) equal to one in another zone, so it would never match.
    starts_at = starts_at.astimezone(UTC)
    zone = clinic_zone()
    day = starts_at.astimezone(zone).date()
    candidates = _slots(
        [clinician],
        appointment_type,
        day - datetime.timedelta(days=1),
        day,
        location=location,
        now=now,
        occupied={},
        step=BLOCK,
    )
    return any(slot.starts_at == starts_at for slot in candidates)


def nearest_free_slots(
    *, clinician, location, appointment_type, around, now=None, count=3, days_either_side=3
):
    """The free slots closest to `around` for one clinician at one location,
    in time order: what a patient who just lost a slot is offered instead."""
    zone = clinic_zone()
    day = around.astimezone(zone).date()
    slots = free_slots(
        appointment_type=appointment_type,
        clinicians=[clinician],
        location=location,
        start=day - datetime.timedelta(days=days_either_side),
        days=2 * days_either_side + 1,
        now=now,
    )
    closest = sorted(slots, key=lambda slot: abs(slot.starts_at - around))[:count]
    return sorted(closest)


def unavailable_reason(*, clinician, location, starts_at, now=None):
    """Why a time that `fits_rules` refused cannot be booked, in a sentence a
    patient (or the front desk) can act on. Only called once refused, so it
    may cost a query or two."""
    now = now or timezone.now()
    zone = clinic_zone()
    local = starts_at.astimezone(zone)
    if not clinician.is_active:
        return f"{clinician.name} is not taking bookings at the moment."
    if starts_at <= now:
        return "That time has passed."
    notice = datetime.timedelta(minutes=settings.BOOKING_MINIMUM_NOTICE_MINUTES)
    if starts_at < now + notice:
        return f"That time is too soon: bookings need at least {_duration_words(notice)}’ notice."
    if starts_at >= now + datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS):
        return (
            "That time is too far ahead: bookings open "
            f"{settings.BOOKING_HORIZON_WEEKS} weeks ahead."
        )
    closure = (
        ClinicClosure.objects.filter(date=local.date())
        .filter(Q(location__isnull=True) | Q(location=location))
        .first()
    )
    if closure:
        return f"The clinic is closed on {local:%A} {local.day} {local:%B %Y} ({closure.name})."
    return (
        f"{clinician.name} is not available for the whole appointment at that time "
        "(outside their hours or on leave)."
    )


def _duration_words(duration):
    minutes = int(duration.total_seconds()) // 60
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"
