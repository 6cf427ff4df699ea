"""Sets up a waitlist race on a real database (a SQLite file or PostgreSQL,
as the environment says): a cancelled appointment whose time is offered to
CLAIMERS waiting patients. Prints each offer's claim link, as JSON.

    python -m tests.booking.waitlist_race
"""

import datetime
import json
import os

import django

CLAIMERS = 10  # every one offered the time (OFFERS_PER_FREED_TIME)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    from django.utils import timezone

    from booking.availability import free_slots
    from booking.models import WaitlistEntry
    from booking.patient_booking import cancel_by_patient
    from booking.services import book_appointment
    from booking.waitlist import claim_path, offer_freed_times
    from tests.booking.builders import (
        add_hours,
        make_appointment_type,
        make_clinician,
        make_location,
    )

    location = make_location()
    clinician = make_clinician()
    add_hours(clinician, location, range(1, 8), ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], bookable_online=True)
    slots = free_slots(appointment_type=appointment_type, clinicians=[clinician], days=14)
    slot = next(s for s in slots if s.starts_at > timezone.now() + datetime.timedelta(days=3))
    appointment = book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        patient_name="Cancelling Patient",
        patient_email="cancels@example.com",
    )
    for number in range(CLAIMERS):
        WaitlistEntry.objects.create(
            full_name=f"Waiting Patient {number}",
            email=f"waiting{number}@example.com",
            appointment_type=appointment_type,
            location=location,
            before=slot.starts_at.date() + datetime.timedelta(days=7),
            consent_text="yes",
        )
    cancel_by_patient(appointment=appointment)
    offers = sorted(offer_freed_times(), key=lambda offer: offer.entry.email)
    print(
        json.dumps(
            {
                "starts_at": slot.starts_at.isoformat(),
                "claims": {offer.entry.email: claim_path(offer) for offer in offers},
            }
        )
    )


if __name__ == "__main__":
    main()
