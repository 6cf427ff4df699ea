"""The waitlist: patients who asked to hear about an earlier time.

A cancellation or a move records the time it gives back (FreedTime) in its
own transaction; the worker offers it to the matching waitlisted patients by
email, with a signed link each. Claiming goes through hold_slot, so the
database constraint that decides every booking decides who gets it: the first
claim holds the time, the others are told it has gone and stay on the list.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.site_address import absolute_url
from consultations.models import OutboxMessage
from consultations.outbox import nudge_worker_on_commit

from .availability import blocks_between, clinic_zone, fits_rules, occupied_until
from .models import FreedTime, OccupiedBlock, WaitlistEntry, WaitlistOffer

CLAIM_SALT = "booking.waitlist-claim"
LEAVE_SALT = "booking.waitlist-leave"
# How many waiting patients hear of one freed time: enough that someone
# claims it, few enough that most who try still get it.
OFFERS_PER_FREED_TIME = 10
# A waitlist entry is kept this long after its "before" day, then deleted.
PURGE_GRACE = datetime.timedelta(days=7)


def record_freed_time(*, clinician, location, starts_at, now=None):
    """Note a time given back, for the worker to offer (call inside the
    transaction that frees it)."""
    now = now or timezone.now()
    if starts_at > now:
        FreedTime.objects.create(
            clinician=clinician, location=location, starts_at=starts_at, freed_at=now
        )


def join_waitlist(
    *,
    appointment_type,
    location,
    clinician,
    before,
    full_name,
    email,
    phone,
    consent_text,
    red_flags=(),
    urgency=0,
):
    return WaitlistEntry.objects.create(
        appointment_type=appointment_type,
        location=location,
        clinician=clinician,
        before=before,
        full_name=full_name,
        email=email,
        phone=phone,
        consent_text=consent_text,
        red_flags=list(red_flags),
        urgency=urgency,
    )


def offer_freed_times(*, now=None):
    """Offer every freed time not yet offered. Returns the offers made."""
    now = now or timezone.now()
    pending = FreedTime.objects.filter(offered_at__isnull=True).values_list("pk", flat=True)
    offers = []
    for pk in list(pending):
        offers.extend(_offer(freed_id=pk, now=now))
    return offers


def _offer(*, freed_id, now):
    with transaction.atomic():
        # Claimed by one worker only: the second finds offered_at set.
        if not FreedTime.objects.filter(pk=freed_id, offered_at__isnull=True).update(
            offered_at=now
        ):
            return []
        freed = FreedTime.objects.select_related("clinician", "location").get(pk=freed_id)
        offers = []
        for entry in _matching_entries(freed):
            if len(offers) == OFFERS_PER_FREED_TIME:
                break
            if not _is_free(freed, entry.appointment_type, now=now):
                continue
            offer, created = WaitlistOffer.objects.get_or_create(
                entry=entry,
                clinician=freed.clinician,
                starts_at=freed.starts_at,
                defaults={"offered_at": now},
            )
            if created:
                _queue_offer_email(offer, now=now)
                offers.append(offer)
    return offers


def _matching_entries(freed):
    local_day = freed.starts_at.astimezone(clinic_zone()).date()
    return (
        WaitlistEntry.objects.waiting()
        .filter(
            Q(clinician=freed.clinician) | Q(clinician__isnull=True),
            location=freed.location,
            appointment_type__clinicians=freed.clinician,
            appointment_type__bookable_online=True,
            before__gt=local_day,
        )
        .select_related("appointment_type", "location")
        .order_by("created_at", "pk")
    )


def _is_free(freed, appointment_type, *, now):
    """Whether the freed start fits the rules for this type and no one has
    taken any of its time since."""
    clinician = freed.clinician
    if not clinician.is_active or not fits_rules(
        clinician=clinician,
        location=freed.location,
        appointment_type=appointment_type,
        starts_at=freed.starts_at,
        now=now,
    ):
        return False
    ends_at = freed.starts_at + datetime.timedelta(minutes=appointment_type.duration_minutes)
    blocks = blocks_between(freed.starts_at, occupied_until(ends_at, clinician.buffer_minutes))
    return not OccupiedBlock.objects.filter(clinician=clinician, starts_at__in=blocks).exists()


def _queue_offer_email(offer, *, now):
    entry = offer.entry
    context = {
        "entry": entry,
        "offer": offer,
        "starts_at": offer.starts_at.astimezone(clinic_zone()),
        "claim_url": absolute_url(claim_path(offer)),
        "leave_url": absolute_url(leave_path(entry)),
        "clinic_name": settings.CLINIC_NAME,
    }
    message = OutboxMessage.objects.create(
        waitlist_entry=entry,
        kind=OutboxMessage.Kind.WAITLIST_OFFER,
        recipients=[entry.email],
        subject=f"An earlier appointment is free – {settings.CLINIC_NAME}",
        body=render_to_string("booking/email/waitlist_offer.txt", context),
        next_attempt_at=now,
    )
    nudge_worker_on_commit(message)
    return message


def claim_path(offer):
    token = signing.TimestampSigner(salt=CLAIM_SALT).sign_object({"offer": offer.pk})
    return reverse("booking:waitlist_claim", args=[token])


def leave_path(entry):
    token = signing.TimestampSigner(salt=LEAVE_SALT).sign_object({"entry": entry.pk})
    return reverse("booking:waitlist_leave", args=[token])


class LinkRefused(Exception):
    """Why a waitlist link cannot be used, in words for the patient."""


def _unsign(token, *, salt, key, max_age):
    try:
        data = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
        return int(data[key])
    except signing.SignatureExpired:
        raise LinkRefused("This link has expired.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(
            "This link is not valid. Please use the link in your email as it is."
        ) from None


def offer_for(token, *, now=None):
    """The offer a claim link names. Raises LinkRefused for a tampered or
    expired link, or an offer that is over (the time has begun, the patient
    left the list or already booked from it)."""
    now = now or timezone.now()
    pk = _unsign(
        token,
        salt=CLAIM_SALT,
        key="offer",
        max_age=datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS, days=1),
    )
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__appointment_type", "entry__location", "clinician"
        )
        .filter(pk=pk)
        .first()
    )
    if offer is None:
        raise LinkRefused("This offer is no longer open: you may have left the waitlist.")
    if offer.entry.status != WaitlistEntry.Status.WAITING:
        raise LinkRefused("You have already booked a time from the waitlist.")
    if offer.starts_at <= now:
        raise LinkRefused("This link has expired: the time it offered has passed.")
    return offer


def entry_for(token):
    """The entry a leave link names, or raises LinkRefused."""
    pk = _unsign(
        token,
        salt=LEAVE_SALT,
        key="entry",
        max_age=datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS * 2),
    )
    entry = WaitlistEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise LinkRefused("You are no longer on the waitlist.")
    return entry


def leave_waitlist(entry):
    """The patient leaves: what they gave us is deleted, with their offers."""
    entry.delete()


def mark_booked(*, entry_id, appointment):
    WaitlistEntry.objects.waiting().filter(pk=entry_id).update(
        status=WaitlistEntry.Status.BOOKED, appointment=appointment, updated_at=timezone.now()
    )


def purge_past_entries(*, now=None):
    """Delete entries whose "before" day has passed by more than the grace
    period (with their offers and emails). Returns how many."""
    now = now or timezone.now()
    last_kept = timezone.localdate(now, clinic_zone()) - PURGE_GRACE
    _, by_model = WaitlistEntry.objects.filter(before__lt=last_kept).delete()
    FreedTime.objects.filter(starts_at__lt=now).delete()
    return by_model.get(WaitlistEntry._meta.label, 0)
