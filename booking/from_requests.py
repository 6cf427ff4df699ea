"""A "call me" request turned into a booking by staff."""

from audit.models import AuditEntry
from audit.services import record
from consultations.models import ConsultationRequest

Status = ConsultationRequest.Status


def mark_request_scheduled(*, consultation, by):
    """Move the request to "scheduled", through "contacted" when it is new
    (staff spoke to the patient to book), and record the move. A request
    already scheduled, closed or declined keeps its status."""
    before = consultation.status
    for step in (Status.CONTACTED, Status.SCHEDULED):
        if consultation.status != Status.SCHEDULED and consultation.can_move_to(step):
            consultation.move_to(step, by=by)
    if consultation.status != before:
        record(
            action=AuditEntry.Action.STATUS_CHANGED,
            by=by,
            request_numbers=[consultation.pk],
            detail=f"{before} → {consultation.status} (booked a time)",
        )
