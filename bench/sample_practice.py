"""A practice of any size for the benchmark: the sample clinic (locations,
appointment types, bank holidays) with `count` clinicians, each working
weekdays at the main clinic with some appointments already booked.

    python -m bench.sample_practice 20      # with the site's settings in the environment
"""

import datetime
import sys

WEEKDAYS = (1, 2, 3, 4, 5)
RANGES = (("09:00", "12:30"), ("13:30", "17:00"))


def load_practice(clinicians, *, now=None):
    """Loads the sample clinic and sets its clinicians to `clinicians` bench
    clinicians who offer every appointment type. Returns the main location."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from booking.availability import clinic_zone
    from booking.models import WeeklyHours
    from booking.services import BookingError, book_appointment
    from clinic.models import ContentVersion
    from practice.models import AppointmentType, Clinician, Location

    call_command("load_sample_clinic", verbosity=0)
    now = now or timezone.now()
    location = Location.objects.get(is_main=True)
    types = list(AppointmentType.objects.all())
    with transaction.atomic():
        Clinician.objects.update(is_active=False)
        for number in range(1, clinicians + 1):
            clinician = Clinician.objects.create(
                slug=f"bench-clinician-{clinicians}-{number}",
                name=f"Bench Clinician {number}",
                role="Physiotherapist",
                buffer_minutes=10,
                order=100 + number,
            )
            WeeklyHours.objects.bulk_create(
                WeeklyHours(
                    clinician=clinician,
                    location=location,
                    weekday=day,
                    starts=datetime.time.fromisoformat(starts),
                    ends=datetime.time.fromisoformat(ends),
                )
                for day in WEEKDAYS
                for starts, ends in RANGES
            )
            for appointment_type in types:
                appointment_type.clinicians.add(clinician)
            # A booking most working days: at 10:00 or 14:00, by turns.
            today = timezone.localdate(now, clinic_zone())
            for offset in range(2, 8 * 7, 2):
                day = today + datetime.timedelta(days=offset)
                if day.isoweekday() not in WEEKDAYS:
                    continue
                hour = 10 if (offset + number) % 4 else 14
                starts_at = datetime.datetime.combine(
                    day, datetime.time(hour), tzinfo=clinic_zone()
                )
                try:
                    book_appointment(
                        clinician=clinician,
                        location=location,
                        appointment_type=types[0],
                        starts_at=starts_at,
                        patient_name="Bench Patient",
                        now=now,
                    )
                except BookingError:  # a bank holiday, say: no booking that day
                    continue
    # The bulk writes above send no signals (clinic/page_cache.py).
    ContentVersion.bump()
    return location


if __name__ == "__main__":
    import django

    django.setup()
    load_practice(int(sys.argv[1]))
