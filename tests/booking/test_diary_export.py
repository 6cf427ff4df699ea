"""A day's appointments as CSV: what the front desk needs, safe in a
spreadsheet, and in the audit trail."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from booking.services import book_appointment
from consultations.red_flags import Urgency
from tests.booking.builders import london, make_diary

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(london(2026, 3, 16, 6, 0), tick=False):
        yield


@pytest.fixture
def diary():
    location, (clinician,), appointment_type = make_diary(weekdays=(1, 2, 3, 4, 5, 6, 7))
    return location, clinician, appointment_type


def book(location, clinician, appointment_type, starts_at, name, **answers):
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        patient_name=name,
        patient_phone="020 7946 0111",
        answers=answers or None,
    )


def export_url(kind, pk, day=MONDAY):
    return reverse("admin:booking_diary_export", args=[kind, pk, day.isoformat()])


def rows_of(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_export_lists_the_days_appointments_in_uk_time(admin_client, diary):
    location, clinician, _ = diary
    first = book(*diary, london(2026, 3, 16, 9, 0), "Ada Lovelace", urgency=Urgency.URGENT)
    book(*diary, london(2026, 3, 17, 9, 0), "Tomorrow Patient")

    response = admin_client.get(export_url("clinician", clinician.pk))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header[:4] == ["Appointment", "Date", "Starts (UK time)", "Ends (UK time)"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Appointment"] == str(first.pk)
    assert row["Starts (UK time)"] == "09:00 GMT"
    assert row["Patient"] == "Ada Lovelace"
    assert row["Location"] == location.name
    assert row["Flagged for staff"] == "Urgent: same-day care advised"
    assert row["Patient no-shows"] == "0"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_made_plain_text(admin_client, diary):
    location, _, _ = diary
    book(*diary, london(2026, 3, 16, 9, 0), '=HYPERLINK("http://evil.example","Click")')

    header, row = rows_of(admin_client.get(export_url("location", location.pk)))

    assert dict(zip(header, row, strict=True))["Patient"].startswith("'=HYPERLINK(")


def test_the_export_leaves_out_the_patients_health_answers(admin_client, diary):
    _, clinician, _ = diary
    book(
        *diary,
        london(2026, 3, 16, 9, 0),
        "Ada Lovelace",
        description="Numbness in the saddle area",
        red_flags=["saddle_numbness"],
        pain_intensity=9,
    )

    text = admin_client.get(export_url("clinician", clinician.pk)).content.decode("utf-8-sig")

    assert "Numbness" not in text and "saddle" not in text
    assert "Pain" not in text and "Description" not in text and "Consent" not in text


def test_each_export_is_recorded_in_the_audit_trail(admin_client, admin_user, diary):
    _, clinician, _ = diary
    first = book(*diary, london(2026, 3, 16, 9, 0), "Ada Lovelace")
    second = book(*diary, london(2026, 3, 16, 11, 0), "Grace Hopper")

    admin_client.get(export_url("clinician", clinician.pk))

    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED_DAY_CSV)
    assert entry.actor == admin_user.username
    assert entry.detail == (
        f"2026-03-16, clinician {clinician.pk}: appointments {first.pk},{second.pk}"
    )
    assert "Ada" not in entry.detail  # numbers, never names


def test_an_empty_day_exports_just_the_header_and_is_still_recorded(admin_client, diary):
    _, clinician, _ = diary
    header, *rows = rows_of(admin_client.get(export_url("clinician", clinician.pk)))
    assert header[0] == "Appointment" and rows == []
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED_DAY_CSV).count() == 1


def test_an_export_of_an_unknown_day_or_diary_is_404_and_not_recorded(admin_client, diary):
    _, clinician, _ = diary
    bad_day = reverse("admin:booking_diary_export", args=["clinician", clinician.pk, "2026-13-01"])
    assert admin_client.get(bad_day).status_code == 404
    assert admin_client.get(export_url("clinician", 999_999)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED_DAY_CSV).exists()
