"""A day's appointments as CSV for the front desk, safe to open in a
spreadsheet (the requests export's writer), and recorded in the audit trail.

The file carries what the front desk needs to run the day: when, with whom,
where, who is coming and how to reach them, the status, whether the booking
was flagged for staff and the patient's no-shows. It leaves out the warning
signs ticked, the pain answers, the description and the consent wording:
a day list is printed and passed around the desk, and clinicians read those
answers on the appointment's page, where each view needs the second factor.
"""

from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
from consultations.exports import write_rows
from consultations.red_flags import Urgency

from .availability import clinic_zone


def _local(instant):
    return instant.astimezone(clinic_zone())


COLUMNS = [
    ("Appointment", lambda a: a.pk),
    ("Date", lambda a: f"{_local(a.starts_at):%Y-%m-%d}"),
    ("Starts (UK time)", lambda a: f"{_local(a.starts_at):%H:%M %Z}"),
    ("Ends (UK time)", lambda a: f"{_local(a.ends_at):%H:%M %Z}"),
    ("Clinician", lambda a: a.clinician.name),
    ("Location", lambda a: a.location.name),
    ("Appointment type", lambda a: a.appointment_type.name),
    ("Patient", lambda a: a.patient_name),
    ("Phone", lambda a: a.patient_phone),
    ("Email", lambda a: a.patient_email),
    ("Status", lambda a: a.get_status_display()),
    (
        "Flagged for staff",
        lambda a: "" if a.urgency == Urgency.ROUTINE else a.get_urgency_display(),
    ),
    ("Patient no-shows", lambda a: a.patient_no_shows),
    ("Booked", lambda a: a.get_source_display()),
]

# The audit entry names the appointments by number; a long day is summarised
# so the entry fits its column.
DETAIL_MAX = 200


def export_day(*, appointments, by, about, stream):
    """Write `appointments` (annotated with no-shows) to `stream` and record
    the export: `about` says which day and diary, e.g. "2026-03-30, clinician 4"."""
    appointments = list(appointments)
    write_rows(COLUMNS, appointments, stream)
    numbers = ",".join(str(a.pk) for a in appointments) or "none"
    detail = f"{about}: appointments {numbers}"
    if len(detail) > DETAIL_MAX:
        detail = f"{about}: {len(appointments)} appointments"
    # The requests the day's bookings were made from are named too, so a
    # request's trail shows its patient's details left in this file.
    requests = [a.consultation_request_id for a in appointments if a.consultation_request_id]
    record(
        action=AuditEntry.Action.EXPORTED_DAY_CSV, by=by, request_numbers=requests, detail=detail
    )
    return appointments


def export_filename(*, day, name):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"appointments-{day:%Y-%m-%d}-{name}-{stamp}.csv"
