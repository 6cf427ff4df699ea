"""Booking, holding, moving and rescheduling appointments.

Each function claims or frees time inside one transaction; the UNIQUE
constraint on OccupiedBlock, not a read before the write, decides who gets a
contested slot. Staff in the admin and patients online call the same functions.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from clinic.models import SiteSettings

from .availability import (
    blocks_between,
    fits_rules,
    nearest_free_slots,
    occupied_until,
    unavailable_reason,
)
from .models import Appointment, AppointmentStatusChange, Hold, OccupiedBlock
from .reminders import cancel_reminders, schedule_reminder
from .waitlist import record_freed_time


class BookingError(Exception):
    pass


class OutsideAvailability(BookingError):
    def __init__(self, reason=None):
        super().__init__(
            reason
            or "The clinician is not available for the whole appointment at that time "
            "(outside their hours, on leave, a closure, too soon or too far ahead)."
        )


class SlotTaken(BookingError):
    """The time was just taken by someone else; `nearest` holds the closest
    free slots with the same clinician and location."""

    def __init__(self, nearest):
        self.nearest = nearest
        super().__init__("Sorry, that time has just been taken. The nearest free times are listed.")


class NotAllowed(BookingError):
    pass


def release_expired_holds(*, now):
    Hold.objects.filter(expires_at__lte=now).delete()


def _claim(*, clinician, starts_at, ends_at, appointment=None, hold=None):
    OccupiedBlock.objects.bulk_create(
        OccupiedBlock(clinician=clinician, starts_at=block, appointment=appointment, hold=hold)
        for block in blocks_between(starts_at, occupied_until(ends_at, clinician.buffer_minutes))
    )


def _in_utc(starts_at):
    # Every sum below is real time only in UTC: in a local zone Python adds
    # wall-clock time, which is an hour out across a clock change.
    return starts_at.astimezone(datetime.UTC)


def _ends_at(appointment_type, starts_at):
    return starts_at + datetime.timedelta(minutes=appointment_type.duration_minutes)


def _check_offer(*, clinician, location, appointment_type, online):
    if not appointment_type.clinicians.filter(pk=clinician.pk).exists():
        raise NotAllowed(f"{clinician} does not offer {appointment_type.name.lower()}s.")
    if online and not appointment_type.bookable_online:
        raise NotAllowed(f"{appointment_type.name} is booked by phone with the clinic.")
    if not location.is_active:
        raise NotAllowed(f"{location} is not taking bookings.")


def _check_rules(*, clinician, location, appointment_type, starts_at, now):
    if not clinician.is_active or not fits_rules(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        now=now,
    ):
        raise OutsideAvailability(
            unavailable_reason(clinician=clinician, location=location, starts_at=starts_at, now=now)
        )


def _taken(*, clinician, location, appointment_type, starts_at, now):
    return SlotTaken(
        nearest_free_slots(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            around=starts_at,
            now=now,
        )
    )


def hold_slot(*, clinician, location, appointment_type, starts_at, now=None):
    """Hold a time for a patient for BOOKING_HOLD_MINUTES while they type.

    Raises OutsideAvailability or SlotTaken."""
    now = now or timezone.now()
    starts_at = _in_utc(starts_at)
    _check_offer(
        clinician=clinician, location=location, appointment_type=appointment_type, online=True
    )
    _check_rules(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        now=now,
    )
    try:
        with transaction.atomic():
            release_expired_holds(now=now)
            hold = Hold.objects.create(
                clinician=clinician,
                location=location,
                appointment_type=appointment_type,
                starts_at=starts_at,
                ends_at=_ends_at(appointment_type, starts_at),
                expires_at=now + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
            )
            _claim(clinician=clinician, starts_at=starts_at, ends_at=hold.ends_at, hold=hold)
    except IntegrityError:
        raise _taken(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=starts_at,
            now=now,
        ) from None
    return hold


def release_hold(*, token):
    """Give a held time back (the patient chose another time or went back)."""
    Hold.objects.filter(token=token).delete()


# How long a held time outlives the patient's page: long enough for a reload
# or the next step of the flow to claim it back, short enough that a patient
# who closed the tab does not keep the time from others for minutes.
LEAVING_GRACE = datetime.timedelta(seconds=30)


def hold_left(*, token, now=None):
    """The patient's page went away (the tab closed, or off to another site):
    the time is held only a few seconds more."""
    now = now or timezone.now()
    Hold.objects.filter(token=token, expires_at__gt=now + LEAVING_GRACE).update(
        expires_at=now + LEAVING_GRACE
    )


def keep_hold(*, token, until, now=None):
    """A page of the flow came back while the hold lives: it is held again
    until the time first promised to the patient."""
    now = now or timezone.now()
    Hold.objects.filter(token=token, expires_at__gt=now, expires_at__lt=until).update(
        expires_at=until
    )


def _record_move(*, appointment, from_status, to_status, by, by_label, now):
    AppointmentStatusChange.objects.create(
        appointment=appointment,
        from_status=from_status,
        to_status=to_status,
        changed_at=now,
        changed_by=by,
        changed_by_label=by.get_username() if by else by_label,
    )


def book_appointment(
    *,
    clinician,
    location,
    appointment_type,
    starts_at,
    patient_name,
    patient_email="",
    patient_phone="",
    hold_token=None,
    booked_by=None,
    answers=None,
    now=None,
):
    """Book an appointment, online (`booked_by` None) or by staff.

    A patient's own hold on this time (`hold_token`) is turned into the
    appointment; `answers` are further Appointment fields (warning signs,
    pain answers, consent) stored with it. Raises NotAllowed (the clinician
    does not offer the type, or it cannot be booked online),
    OutsideAvailability or SlotTaken; nothing is stored then.
    """
    now = now or timezone.now()
    starts_at = _in_utc(starts_at)
    _check_offer(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        online=booked_by is None,
    )
    _check_rules(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        now=now,
    )
    try:
        with transaction.atomic():
            release_expired_holds(now=now)
            if hold_token:
                Hold.objects.filter(
                    token=hold_token, clinician=clinician, starts_at=starts_at
                ).delete()
            appointment = Appointment.objects.create(
                clinician=clinician,
                location=location,
                appointment_type=appointment_type,
                starts_at=starts_at,
                ends_at=_ends_at(appointment_type, starts_at),
                patient_name=patient_name,
                patient_email=patient_email,
                patient_phone=patient_phone,
                source=Appointment.Source.STAFF if booked_by else Appointment.Source.ONLINE,
                booked_by=booked_by,
                **(answers or {}),
            )
            _claim(
                clinician=clinician,
                starts_at=starts_at,
                ends_at=appointment.ends_at,
                appointment=appointment,
            )
            schedule_reminder(appointment=appointment, now=now)
            _record_move(
                appointment=appointment,
                from_status="",
                to_status=Appointment.Status.BOOKED,
                by=booked_by,
                by_label="patient",
                now=now,
            )
            if SiteSettings.current().booking_confirmation == "automatic":
                appointment.status = Appointment.Status.CONFIRMED
                appointment.save(update_fields=["status", "updated_at"])
                _record_move(
                    appointment=appointment,
                    from_status=Appointment.Status.BOOKED,
                    to_status=Appointment.Status.CONFIRMED,
                    by=None,
                    by_label="automatic",
                    now=now,
                )
    except IntegrityError:
        raise _taken(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=starts_at,
            now=now,
        ) from None
    return appointment


def move_appointment(*, appointment, to_status, by=None, by_label="patient", now=None):
    """Move an appointment to another status, recording who and when. A
    cancellation gives its time back."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not current.can_move_to(to_status):
            raise NotAllowed(
                f"An appointment that is {current.get_status_display().lower()} cannot become "
                f"{Appointment.Status(to_status).label.lower()}."
            )
        _record_move(
            appointment=current,
            from_status=current.status,
            to_status=to_status,
            by=by,
            by_label=by_label,
            now=now,
        )
        current.status = to_status
        current.sequence += 1
        current.save(update_fields=["status", "sequence", "updated_at"])
        if not current.holds_time:
            current.blocks.all().delete()
            cancel_reminders(appointment=current)
            record_freed_time(
                clinician=current.clinician,
                location=current.location,
                starts_at=current.starts_at,
                now=now,
            )
        elif current.status not in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
            # Arrived, completed or did not attend: nothing left to remind of.
            cancel_reminders(appointment=current)
    appointment.refresh_from_db()
    return appointment


def reschedule_appointment(*, appointment, starts_at, clinician=None, location=None, now=None):
    """Move an appointment to another time (and clinician or location).

    Its old time is freed and the new one claimed in one transaction: on
    SlotTaken or OutsideAvailability the appointment keeps its old time."""
    now = now or timezone.now()
    starts_at = _in_utc(starts_at)
    clinician = clinician or appointment.clinician
    location = location or appointment.location
    if not appointment.holds_time:
        raise NotAllowed("A cancelled appointment cannot be moved; book a new one.")
    _check_rules(
        clinician=clinician,
        location=location,
        appointment_type=appointment.appointment_type,
        starts_at=starts_at,
        now=now,
    )
    try:
        with transaction.atomic():
            release_expired_holds(now=now)
            old_clinician, old_location = appointment.clinician, appointment.location
            old_starts_at = appointment.starts_at
            appointment.blocks.all().delete()
            Appointment.objects.filter(pk=appointment.pk).update(
                clinician=clinician,
                location=location,
                starts_at=starts_at,
                ends_at=_ends_at(appointment.appointment_type, starts_at),
                sequence=models.F("sequence") + 1,
                updated_at=now,
            )
            appointment.refresh_from_db()
            _claim(
                clinician=clinician,
                starts_at=starts_at,
                ends_at=appointment.ends_at,
                appointment=appointment,
            )
            # The reminder follows the appointment: the old time's never goes.
            cancel_reminders(appointment=appointment)
            schedule_reminder(appointment=appointment, now=now)
            if (old_clinician, old_starts_at) != (clinician, starts_at):
                record_freed_time(
                    clinician=old_clinician, location=old_location, starts_at=old_starts_at, now=now
                )
    except IntegrityError:
        appointment.refresh_from_db()
        raise _taken(
            clinician=clinician,
            location=location,
            appointment_type=appointment.appointment_type,
            starts_at=starts_at,
            now=now,
        ) from None
    return appointment
