"""Fifty patients race for one slot: run as its own process against a real
database (a SQLite file or PostgreSQL), each patient a thread with its own
database connection, all released at once. Prints what each one got, as JSON.

    python -m tests.booking.race
"""

import datetime
import json
import os
import threading

import django

PATIENTS = 50


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    from django.db import connections

    from booking.services import SlotTaken, book_appointment
    from tests.booking.builders import london, make_diary

    location, (clinician,), appointment_type = make_diary(clinicians=1)
    now = london(2026, 3, 2, 7, 0)  # a Monday
    contested = london(2026, 3, 3, 10, 0)  # Tuesday 10:00
    start_line = threading.Barrier(PATIENTS)
    outcomes = [None] * PATIENTS

    def patient(number):
        typed = {
            "patient_name": f"Patient {number}",
            "patient_email": f"patient{number}@example.com",
            "patient_phone": f"07700 900{number:03d}",
        }
        try:
            start_line.wait()
            appointment = book_appointment(
                clinician=clinician,
                location=location,
                appointment_type=appointment_type,
                starts_at=contested,
                now=now,
                **typed,
            )
            outcomes[number] = {"booked": appointment.pk}
        except SlotTaken as taken:
            outcomes[number] = {
                "taken": str(taken),
                "nearest": [slot.starts_at.isoformat() for slot in taken.nearest],
            }
        except Exception as error:  # reported to the test, which fails on it
            outcomes[number] = {"error": f"{type(error).__name__}: {error}"}
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patient, args=(n,)) for n in range(PATIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "contested": contested.astimezone(datetime.UTC).isoformat(),
                "vendor": connections["default"].vendor,
                "outcomes": outcomes,
            }
        )
    )


if __name__ == "__main__":
    main()
