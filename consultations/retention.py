"""Deleting requests once the retention period the privacy notice states is
over. A request still being handled (new, contacted, scheduled) is kept until
it is closed or declined, however old."""

from django.conf import settings

from .models import ConsultationRequest


def expired_requests(*, months=None, now=None):
    """Finished requests received more than `months` months ago (default:
    CONSULTATION_RETENTION_MONTHS)."""
    months = settings.CONSULTATION_RETENTION_MONTHS if months is None else months
    return ConsultationRequest.objects.finished().older_than_months(months, now=now)


def purge_expired_requests(*, months=None, now=None):
    """Delete the expired requests (and their outbox messages). Returns how
    many requests were deleted."""
    _, deleted = expired_requests(months=months, now=now).delete()
    return deleted.get(ConsultationRequest._meta.label, 0)
