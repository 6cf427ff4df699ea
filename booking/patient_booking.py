"""What a patient's booking steps do: book or change an appointment and
queue its email in one transaction (both stored, or neither)."""

from django.db import transaction

from consultations.models import OutboxMessage

from .models import Appointment
from .notifications import queue_appointment_email
from .services import book_appointment, move_appointment, reschedule_appointment
from .waitlist import mark_booked

Kind = OutboxMessage.Kind


def book_online(
    *,
    clinician,
    location,
    appointment_type,
    starts_at,
    answers,
    hold_token,
    waitlist_entry=None,
    now=None,
):
    """Book for a patient and queue the confirmation; a patient who came
    from a waiting-list offer has their entry (`waitlist_entry`, its id)
    marked booked with it, so it is never offered times again. Raises what
    `book_appointment` raises; nothing is stored then."""
    answers = dict(answers)
    with transaction.atomic():
        appointment = book_appointment(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=starts_at,
            patient_name=answers.pop("patient_name"),
            patient_email=answers.pop("patient_email"),
            patient_phone=answers.pop("patient_phone"),
            hold_token=hold_token,
            answers=answers,
            now=now,
        )
        queue_appointment_email(appointment=appointment, kind=Kind.BOOKING_CONFIRMATION, now=now)
        if waitlist_entry:
            mark_booked(entry_id=waitlist_entry, appointment=appointment)
    return appointment


def cancel_by_patient(*, appointment, now=None):
    with transaction.atomic():
        appointment = move_appointment(
            appointment=appointment, to_status=Appointment.Status.CANCELLED_BY_PATIENT, now=now
        )
        queue_appointment_email(appointment=appointment, kind=Kind.BOOKING_CANCELLATION, now=now)
    return appointment


def move_by_patient(*, appointment, starts_at, now=None):
    """Move to another free time with the same clinician and location. Raises
    SlotTaken or OutsideAvailability, keeping the old time."""
    with transaction.atomic():
        appointment = reschedule_appointment(appointment=appointment, starts_at=starts_at, now=now)
        queue_appointment_email(appointment=appointment, kind=Kind.BOOKING_CHANGE, now=now)
    return appointment
