"""The patient's appointment emails, written to the outbox (sent by the
worker, consultations/outbox.py) in the caller's transaction, each with the
appointment's calendar file. No health details: when, where, with whom, and
the link to change it."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from consultations.models import OutboxMessage
from consultations.outbox import nudge_worker_on_commit

from .availability import clinic_zone
from .calendar import appointment_calendar, where
from .manage_links import manage_url

Kind = OutboxMessage.Kind

SUBJECTS = {
    Kind.BOOKING_CONFIRMATION: "Your appointment is booked",
    Kind.BOOKING_CHANGE: "Your appointment has moved",
    Kind.BOOKING_CANCELLATION: "Your appointment is cancelled",
    Kind.BOOKING_REMINDER: "Reminder: your appointment",
}


def queue_appointment_email(*, appointment, kind, now=None):
    """Queue the email for `kind`; none when the patient gave no address."""
    if not appointment.patient_email:
        return None
    now = now or timezone.now()
    address, directions = where(appointment)
    context = {
        "appointment": appointment,
        "starts_at": appointment.starts_at.astimezone(clinic_zone()),
        "address": address,
        "directions": directions,
        "manage_url": manage_url(appointment),
        "clinic_name": settings.CLINIC_NAME,
        "kind": kind,
    }
    message = OutboxMessage(
        appointment=appointment,
        kind=kind,
        recipients=[appointment.patient_email],
        subject=f"{SUBJECTS[kind]} – {settings.CLINIC_NAME}",
        body=render_to_string("booking/email/appointment.txt", context),
        # A reminder changes nothing in the patient's calendar: no file.
        calendar=""
        if kind == Kind.BOOKING_REMINDER
        else appointment_calendar(appointment, now=now),
        next_attempt_at=now,
    )
    message.save()
    nudge_worker_on_commit(message)
    return message


def queue_email_after_move(*, appointment, now=None):
    """After a status move: a cancellation tells the patient; other moves
    (confirmed, arrived…) send nothing."""
    if appointment.holds_time:
        return None
    return queue_appointment_email(appointment=appointment, kind=Kind.BOOKING_CANCELLATION, now=now)
