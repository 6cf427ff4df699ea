from .models import AuditEntry

SYSTEM_ACTOR = "(system)"


def record(*, action, by, request_numbers, detail=""):
    """Add an entry to the audit trail: `by` did `action` to the requests
    numbered `request_numbers`. `by` is a user, or None for scheduled jobs."""
    numbers = sorted({int(n) for n in request_numbers})
    return AuditEntry.objects.create(
        action=action,
        actor=by.get_username() if by is not None else SYSTEM_ACTOR,
        request_numbers="," + ",".join(str(n) for n in numbers) + ",",
        detail=detail,
    )
