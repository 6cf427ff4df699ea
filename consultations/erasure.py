"""Forgetting consultation requests: at a patient's request (erasure) or
after the retention period (purge). Either way the requests go, Django's
admin log keeps no trace of who sent them, and the audit trail says who
deleted which requests and when."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from audit.models import AuditEntry
from audit.services import record

from .models import ConsultationRequest


def erase_requests(requests, *, by, detail=""):
    """Delete `requests` at the patient's request; returns how many.
    `detail` names what else was erased with them, for the audit trail."""
    numbers = [consultation.pk for consultation in requests]
    with transaction.atomic():
        ConsultationRequest.objects.filter(pk__in=numbers).delete()
        forget_deleted_requests(numbers, by=by, action=AuditEntry.Action.ERASED, detail=detail)
    return len(numbers)


def forget_deleted_requests(numbers, *, by, action, detail=""):
    """After requests `numbers` were deleted: scrub the admin log entries
    about them and record the deletion in the audit trail."""
    scrub_admin_log(numbers)
    if numbers or detail:
        record(action=action, by=by, request_numbers=numbers, detail=detail)


def scrub_admin_log(numbers):
    """Admin log entries ("Recent actions", each object's history) name the
    object as it was and say what changed: keep that a request was handled,
    never what it held."""
    content_type = ContentType.objects.get_for_model(ConsultationRequest)
    for number in numbers:
        LogEntry.objects.filter(content_type=content_type, object_id=str(number)).update(
            object_repr=f"Request #{number} (erased)", change_message=""
        )
