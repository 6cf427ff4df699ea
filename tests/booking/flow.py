"""Walking a test client through /book/ (real views, real session)."""

import datetime

from django.conf import settings
from django.utils import timezone

from booking.availability import free_slots
from booking.forms import slot_value
from consultations import consent

EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)

DETAILS = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "020 7946 0958",
    "pain_duration_weeks": "6",
    "pain_intensity": "5",
    "description": "Low back pain after gardening.",
    "consent": "on",
    "consent_version": consent.CURRENT_CONSENT_VERSION,
}


def first_free_slot(appointment_type, clinician):
    return free_slots(appointment_type=appointment_type, clinicians=[clinician])[0]


def free_slot_bookable_for(appointment_type, clinician, minutes):
    """The first free slot still outside the minimum notice `minutes` from
    now, for a test that moves the clock on that far: the first free slot can
    start minutes after the notice ends, and would fall inside it."""
    notice = datetime.timedelta(minutes=settings.BOOKING_MINIMUM_NOTICE_MINUTES + minutes)
    return next(
        slot
        for slot in free_slots(appointment_type=appointment_type, clinicians=[clinician])
        if slot.starts_at >= timezone.now() + notice
    )


def answer_warning_signs(client, **signs):
    return client.post("/book/", signs)


def choose(client, appointment_type, location, clinician=None):
    return client.post(
        "/book/choose/",
        {
            "appointment_type": appointment_type.pk,
            "location": location.pk,
            "clinician": clinician.slug if clinician else "",
        },
    )


def hold(client, slot, **fields):
    return client.post("/book/hold/", {"slot": slot_value(slot), **fields})


def walk_to_review(client, location, clinician, appointment_type, slot, **signs):
    answer_warning_signs(client, **signs)
    choose(client, appointment_type, location, clinician)
    hold(client, slot)
    return client.post("/book/details/", DETAILS)
