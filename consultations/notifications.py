"""The emails a consultation request causes, written to the outbox.

Nothing here talks to a mail server: messages are stored in the caller's
transaction, with the request they are about, and the worker sends them
(consultations/outbox.py). Neither staff nor patient emails carry health or
contact details, since email is not a private channel: staff read the request
in the admin.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.site_address import absolute_url

from .models import ConsultationRequest, OutboxMessage
from .outbox import nudge_worker_on_commit
from .red_flags import Urgency

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind

# How the staff subject names each urgency level, keyed by Urgency member
# name so that levels can be added or renumbered. ROUTINE has no prefix.
SUBJECT_LEVELS = {
    "EMERGENCY": "EMERGENCY",
    "URGENT": "Urgent",
    "DISCUSS_SOON": "Discuss soon",
    "ROUTINE": None,
}


def urgency_level_name(urgency):
    """The wording for an urgency value in a staff subject: a level this
    module does not know yet is named by its label, or its number."""
    try:
        member = Urgency(urgency)
    except ValueError:
        return f"Urgency level {urgency}"
    return SUBJECT_LEVELS.get(member.name, member.label)


def staff_subject(consultation):
    level = urgency_level_name(consultation.urgency)
    if level is None:
        return f"New consultation request #{consultation.pk}"
    return f"{level}: new consultation request #{consultation.pk}"


def store_request_and_notify(*, consultation):
    """Save a request (once, see `save_once`) and its emails in one
    transaction: either both are stored or neither is. A resend with changed
    answers is news to staff only when it raised the urgency. Returns the
    `SubmissionOutcome`."""
    with transaction.atomic():
        outcome = consultation.save_once()
        if outcome.created:
            queue_new_request_notifications(consultation=outcome.consultation)
        elif outcome.urgency_raised:
            queue(staff_notification(outcome.consultation), consultation=outcome.consultation)
    return outcome


def queue_new_request_notifications(*, consultation):
    """Write the staff notification and the patient's acknowledgement to the
    outbox, in the caller's transaction."""
    messages = []
    if settings.CONSULTATION_NOTIFY_EMAILS:
        messages.append(staff_notification(consultation))
    if consultation.email:
        messages.append(
            OutboxMessage(
                kind=Kind.PATIENT_ACKNOWLEDGEMENT,
                recipients=[consultation.email],
                subject=f"We have received your consultation request – {settings.CLINIC_NAME}",
                body=render_to_string(
                    "consultations/email/patient_acknowledgement.txt", email_context(consultation)
                ),
            )
        )
    for message in messages:
        queue(message, consultation=consultation)
    return messages


def staff_notification(consultation):
    return OutboxMessage(
        kind=Kind.STAFF_NOTIFICATION,
        recipients=list(settings.CONSULTATION_NOTIFY_EMAILS),
        subject=staff_subject(consultation),
        body=render_to_string(
            "consultations/email/staff_notification.txt", email_context(consultation)
        ),
    )


def escalate_unopened_emergencies(*, now=None):
    """Send staff a second alert about each emergency request that nobody has
    opened in the admin EMERGENCY_ESCALATION_MINUTES after it arrived (once
    per request). Returns the alerts queued."""
    now = now or timezone.now()
    if not settings.CONSULTATION_NOTIFY_EMAILS:
        return []
    minutes = settings.EMERGENCY_ESCALATION_MINUTES
    unopened = (
        ConsultationRequest.objects.unopened_emergencies(
            received_before=now - datetime.timedelta(minutes=minutes)
        )
        .exclude(outbox_messages__kind=Kind.EMERGENCY_ESCALATION)
        .order_by("created_at")
    )
    alerts = []
    for consultation in unopened:
        context = email_context(consultation) | {"minutes": f"{minutes:g}"}
        alert = OutboxMessage(
            kind=Kind.EMERGENCY_ESCALATION,
            recipients=list(settings.CONSULTATION_NOTIFY_EMAILS),
            subject=(
                f"EMERGENCY not yet opened: consultation request #{consultation.pk} "
                f"({minutes:g} minutes)"
            ),
            body=render_to_string("consultations/email/emergency_escalation.txt", context),
        )
        with transaction.atomic():
            queue(alert, consultation=consultation, now=now)
        logger.warning(
            "Emergency consultation request #%s not opened after %g minutes: second alert sent.",
            consultation.pk,
            minutes,
        )
        alerts.append(alert)
    return alerts


def queue(message, *, consultation, now=None):
    message.consultation = consultation
    message.next_attempt_at = now or timezone.now()
    message.save()
    nudge_worker_on_commit(message)


def email_context(consultation):
    return {
        "consultation": consultation,
        "admin_url": absolute_url(consultation.get_absolute_url()),
        "clinic_name": settings.CLINIC_NAME,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "response_days": settings.CONSULTATION_RESPONSE_DAYS,
    }
