"""Two real worker processes send reminders from one database (a SQLite file
or PostgreSQL, as the environment says). Run as its own process:

    python -m tests.booking.reminder_workers seed
    python -m tests.booking.reminder_workers work <start at (Unix time)> <rounds>
    python -m tests.booking.reminder_workers cancel <start at (Unix time)>

`seed` books appointments (cancelling and moving some) at a fixed time and
prints the moment when all their reminders are due; `work` waits for the
start line, then runs the worker's reminder job for that moment, round after
round, and prints what it sent, as JSON; `cancel` cancels every third
appointment meanwhile, as patients might while the workers run.
"""

import datetime
import json
import os
import sys
import time

import django

APPOINTMENTS = 60
CANCELLED = range(0, 60, 12)  # 5 of them
MOVED = range(6, 60, 12)  # 5 more, each to a later free time
BOOKED_AT = datetime.datetime(2026, 5, 18, 7, 0, tzinfo=datetime.UTC)  # two weeks before
DUE_AT = datetime.datetime(2026, 6, 2, 7, 0, tzinfo=datetime.UTC)


def seed():
    from booking.availability import free_slots
    from booking.patient_booking import cancel_by_patient, move_by_patient
    from booking.services import book_appointment
    from clinic.models import SiteSettings
    from tests.booking.builders import (
        add_hours,
        make_appointment_type,
        make_clinician,
        make_location,
    )

    # Remind a week ahead, so that every appointment's reminder is due at DUE_AT.
    SiteSettings.objects.update_or_create(pk=1, defaults={"reminder_hours_before": 7 * 24})
    location = make_location()
    clinician = make_clinician()
    add_hours(clinician, location, range(1, 8), ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], duration_minutes=30)
    slots = [
        slot
        for slot in free_slots(
            appointment_type=appointment_type,
            clinicians=[clinician],
            location=location,
            start=datetime.date(2026, 6, 2),
            days=6,
            now=BOOKED_AT,
        )
        if slot.starts_at.minute in (0, 30)
    ]
    booked = []
    for number, slot in enumerate(slots[:APPOINTMENTS]):
        booked.append(
            book_appointment(
                clinician=clinician,
                location=location,
                appointment_type=appointment_type,
                starts_at=slot.starts_at,
                patient_name=f"Patient {number}",
                patient_email=f"patient{number}@example.com",
                now=BOOKED_AT,
            )
        )
    spare = iter(slots[APPOINTMENTS:])
    for number in CANCELLED:
        cancel_by_patient(appointment=booked[number], now=BOOKED_AT)
    for number in MOVED:
        move_by_patient(appointment=booked[number], starts_at=next(spare).starts_at, now=BOOKED_AT)
    print(json.dumps({"due_at": DUE_AT.isoformat(), "appointments": len(booked)}))


def work(start_at, rounds):
    from django.db import close_old_connections

    from booking.reminders import send_due_reminders

    sent = []
    time.sleep(max(0.0, start_at - time.time()))  # the start line, shared by both workers
    for _ in range(rounds):
        sent.extend(reminder.appointment_id for reminder in send_due_reminders(now=DUE_AT))
        close_old_connections()
    print(json.dumps({"pid": os.getpid(), "sent_for": sent}))


def cancel(start_at):
    from booking.models import Appointment
    from booking.patient_booking import cancel_by_patient

    time.sleep(max(0.0, start_at - time.time()))
    cancelled = []
    live = Appointment.objects.exclude(status="cancelled_by_patient").order_by("pk")
    for appointment in list(live)[::3]:
        cancel_by_patient(appointment=appointment, now=DUE_AT)
        cancelled.append(appointment.pk)
    print(json.dumps({"cancelled": cancelled}))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    if sys.argv[1] == "seed":
        seed()
    elif sys.argv[1] == "cancel":
        cancel(float(sys.argv[2]))
    else:
        work(float(sys.argv[2]), int(sys.argv[3]))


if __name__ == "__main__":
    main()
