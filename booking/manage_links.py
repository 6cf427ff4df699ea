"""The signed link that lets a patient cancel or move their appointment
without an account. It names the appointment only, expires with the booking
horizon, and is refused once the appointment is over."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from clinic.site_address import absolute_url

from .models import Appointment

SALT = "booking.manage-link"


def manage_path(appointment):
    token = signing.TimestampSigner(salt=SALT).sign_object({"appointment": appointment.pk})
    return reverse("booking:manage", args=[token])


def manage_url(appointment):
    return absolute_url(manage_path(appointment))


def appointment_for(token, *, now=None):
    """The appointment a link names, or None for a tampered, expired or
    finished one."""
    now = now or timezone.now()
    max_age = datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS, days=1)
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
        pk = int(data["appointment"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    appointment = (
        Appointment.objects.select_related("clinician", "location", "appointment_type")
        .filter(pk=pk)
        .first()
    )
    if appointment is None or appointment.ends_at <= now:
        return None
    return appointment


def change_cutoff(appointment):
    return appointment.starts_at - datetime.timedelta(hours=settings.BOOKING_CHANGE_CUTOFF_HOURS)


def can_change_online(appointment, *, now=None):
    return appointment.holds_time and (now or timezone.now()) < change_cutoff(appointment)
