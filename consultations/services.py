"""What happens after a consultation request is stored."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def notify_about_new_request(*, consultation, admin_url):
    """Tell staff a request arrived and acknowledge it to the patient.

    The request is already stored: a mail failure is logged (with the
    request's number only, never personal data) and never reaches the
    patient. Neither email carries health details, since email is not a
    private channel: staff read the request in the admin.
    """
    context = {
        "consultation": consultation,
        "admin_url": admin_url,
        "clinic_name": settings.CLINIC_NAME,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "response_days": settings.CONSULTATION_RESPONSE_DAYS,
    }
    if settings.CONSULTATION_NOTIFY_EMAILS:
        urgent = " (URGENT)" if consultation.is_urgent else ""
        _send(
            f"New consultation request #{consultation.pk}{urgent}",
            "consultations/email/staff_notification.txt",
            context,
            settings.CONSULTATION_NOTIFY_EMAILS,
            consultation,
        )
    if consultation.email:
        _send(
            f"We have received your consultation request – {settings.CLINIC_NAME}",
            "consultations/email/patient_acknowledgement.txt",
            context,
            [consultation.email],
            consultation,
        )


def _send(subject, template, context, recipients, consultation):
    try:
        send_mail(
            subject,
            render_to_string(template, context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:
        # Any mail failure (server down, refused, timed out) must leave the
        # stored request and the patient's confirmation page untouched.
        logger.exception(
            "Could not send %s for consultation request #%s", template, consultation.pk
        )
