"""Appointment reminders: one per appointment and start time, sent once.

What breaks elsewhere (reminders after a cancellation, for the old time of a
moved booking, all at booking time, twice) cannot happen here because:
- a reminder names the start time it is about; a move cancels it and makes a
  new one in the move's own transaction, and a cancellation cancels it;
- the worker claims a reminder with a conditional UPDATE (pending → sent) and
  writes its outbox message in the same transaction: of two workers, the
  second updates no row (PostgreSQL re-checks the row after the first
  commits; SQLite lets one writer at a time), so it sends nothing;
- when it is due is worked out at send time from the clinic's setting
  (SiteSettings.reminder_hours_before), so a change of setting applies to
  every waiting reminder.

A booking made closer to its time than the setting gets no reminder: the
confirmation it has just sent says the same thing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from clinic.models import SiteSettings
from consultations.models import OutboxMessage

from .models import Appointment, Reminder
from .notifications import queue_appointment_email


def reminder_hours():
    return SiteSettings.current().reminder_hours_before


def schedule_reminder(*, appointment, now=None):
    """Make the reminder for the appointment's current start time, unless it
    is already due (booked or moved within the reminder period). Call inside
    the transaction that books or moves the appointment."""
    now = now or timezone.now()
    hours = reminder_hours()
    if not hours or appointment.starts_at - datetime.timedelta(hours=hours) <= now:
        return None
    return Reminder.objects.create(appointment=appointment, starts_at=appointment.starts_at)


def cancel_reminders(*, appointment):
    """Cancel the appointment's waiting reminder (it was cancelled or moved)."""
    return (
        Reminder.objects.pending()
        .filter(appointment=appointment)
        .update(status=Reminder.Status.CANCELLED, updated_at=timezone.now())
    )


def send_due_reminders(*, now=None):
    """Write every due reminder to the outbox, once. Returns those sent."""
    now = now or timezone.now()
    hours = reminder_hours()
    _mark_missed(now=now)
    if not hours:
        return []
    due = Reminder.objects.due(now=now, hours_before=hours).values_list("pk", "appointment_id")
    sent = (
        _send(reminder_id=pk, appointment_id=appointment_id, now=now)
        for pk, appointment_id in list(due)
    )
    return [reminder for reminder in sent if reminder is not None]


def _send(*, reminder_id, appointment_id, now):
    with transaction.atomic():
        # Lock the appointment first, as a cancellation does, so that the two
        # wait for each other in turn on PostgreSQL instead of deadlocking.
        Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        claimed = (
            Reminder.objects.pending()
            .filter(pk=reminder_id)
            .update(status=Reminder.Status.SENT, sent_at=now, updated_at=now)
        )
        if not claimed:
            return None  # Another worker sent it, or it was cancelled meanwhile.
        reminder = Reminder.objects.select_related(
            "appointment__clinician", "appointment__location", "appointment__appointment_type"
        ).get(pk=reminder_id)
        appointment = reminder.appointment
        if not appointment.holds_time or appointment.starts_at != reminder.starts_at:
            # Belt and braces: a cancel or move always cancels the reminder.
            Reminder.objects.filter(pk=reminder_id).update(
                status=Reminder.Status.CANCELLED, sent_at=None
            )
            return None
        reminder.message = queue_appointment_email(
            appointment=appointment, kind=OutboxMessage.Kind.BOOKING_REMINDER, now=now
        )
        reminder.save(update_fields=["message"])
    return reminder


def _mark_missed(*, now):
    """Reminders for appointments that have begun (the worker was down) are
    never sent late; staff see them as missed."""
    Reminder.objects.pending().filter(starts_at__lte=now).update(
        status=Reminder.Status.MISSED, updated_at=now
    )
