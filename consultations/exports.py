"""Consultation requests as CSV, safe to open in a spreadsheet."""

import csv

from . import red_flags

COLUMNS = [
    ("Number", lambda r: r.pk),
    ("Received", lambda r: r.created_at.isoformat(timespec="minutes")),
    ("Urgency", lambda r: r.get_urgency_display()),
    ("Status", lambda r: r.get_status_display()),
    ("Full name", lambda r: r.full_name),
    ("Email", lambda r: r.email),
    ("Phone", lambda r: r.phone),
    ("Preferred contact", lambda r: r.get_preferred_contact_display()),
    ("Preferred days", lambda r: ", ".join(r.preferred_days)),
    ("Preferred time", lambda r: r.get_preferred_time_display()),
    ("Pain duration", lambda r: r.get_pain_duration_weeks_display()),
    ("Pain intensity (0-10)", lambda r: r.pain_intensity),
    ("Warning signs", lambda r: "; ".join(red_flags.describe(r.red_flags))),
    ("Description", lambda r: r.description),
    ("Stretch", lambda r: r.source_stretch.title if r.source_stretch else ""),
    ("Came from page", lambda r: r.source_page),
    ("Pain diary summary", lambda r: r.diary_summary),
    ("Possible duplicate", lambda r: "yes" if r.possible_duplicate else "no"),
    ("Consent version", lambda r: r.consent_version),
    ("Consent given", lambda r: r.consent_given_at.isoformat(timespec="minutes")),
    ("Handled by", lambda r: r.handled_by.get_username() if r.handled_by else ""),
    ("Contacted", lambda r: r.contacted_at.isoformat(timespec="minutes") if r.contacted_at else ""),
    ("Closed", lambda r: r.closed_at.isoformat(timespec="minutes") if r.closed_at else ""),
    ("Staff notes", lambda r: r.staff_notes),
]

# A cell starting with one of these is run as a formula by spreadsheets
# (CSV injection); a leading apostrophe makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(columns, rows, stream):
    """Write `rows` as CSV to a text stream, one column per (title, value)
    in `columns`, every cell neutralised, with a byte-order mark so that
    spreadsheets read accents, emoji and right-to-left text correctly."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow([title for title, _ in columns])
    for row in rows:
        writer.writerow([neutralise(value(row)) for _, value in columns])


def write_csv(requests, stream):
    write_rows(COLUMNS, requests, stream)


def patient_data(requests):
    """Everything held about a patient, for a subject access request: each
    of their requests with every column, and the appointments staff booked
    from it (with the answers copied onto them), as plain data."""
    return {
        "requests": [
            {title: value(consultation) for title, value in COLUMNS}
            | {
                "Consent wording": consultation.consent_text,
                "Answers the patient changed": consultation.changes_for_staff(),
                "Resent form of request": consultation.resubmission_of_id,
                "Appointments booked from it": [
                    {title: value(appointment) for title, value in APPOINTMENT_COLUMNS}
                    for appointment in consultation.appointments.all()
                ],
            }
            for consultation in requests
        ]
    }


APPOINTMENT_COLUMNS = [
    ("Number", lambda a: a.pk),
    ("Starts", lambda a: a.starts_at.isoformat(timespec="minutes")),
    ("Ends", lambda a: a.ends_at.isoformat(timespec="minutes")),
    ("Appointment", lambda a: a.appointment_type.name),
    ("Clinician", lambda a: a.clinician.name),
    ("Place", lambda a: a.location.name),
    ("Status", lambda a: a.get_status_display()),
    ("Full name", lambda a: a.patient_name),
    ("Email", lambda a: a.patient_email),
    ("Phone", lambda a: a.patient_phone),
    ("Urgency", lambda a: a.get_urgency_display()),
    ("Warning signs", lambda a: "; ".join(red_flags.describe(a.red_flags))),
    ("Pain duration", lambda a: a.get_pain_duration_weeks_display() or ""),
    ("Pain intensity (0-10)", lambda a: a.pain_intensity),
    ("Description", lambda a: a.description),
    ("Consent version", lambda a: a.consent_version),
    ("Booked", lambda a: a.created_at.isoformat(timespec="minutes")),
]
