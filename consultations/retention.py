"""Deleting requests once the retention period the privacy notice states is
over. A request still being handled (new, contacted, scheduled) is kept until
it is closed or declined, however old."""

from django.conf import settings
from django.db import transaction

from audit.models import AuditEntry

from .erasure import forget_deleted_requests
from .models import ConsultationRequest


def expired_requests(*, months=None, now=None):
    """Finished requests received more than `months` months ago (default:
    CONSULTATION_RETENTION_MONTHS)."""
    months = settings.CONSULTATION_RETENTION_MONTHS if months is None else months
    return ConsultationRequest.objects.finished().older_than_months(months, now=now)


def purge_expired_requests(*, months=None, now=None):
    """Delete the expired requests (and their outbox messages), scrub the
    admin log about them and record the purge in the audit trail. Returns how
    many requests were deleted."""
    with transaction.atomic():
        numbers = list(expired_requests(months=months, now=now).values_list("pk", flat=True))
        ConsultationRequest.objects.filter(pk__in=numbers).delete()
        forget_deleted_requests(numbers, by=None, action=AuditEntry.Action.PURGED)
    return len(numbers)
