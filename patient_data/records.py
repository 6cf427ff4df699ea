"""Everything the clinic holds about one patient, found by the email address
or phone number they give with a data request: consultation requests,
appointments (booked online or by staff) and waiting-list entries.

Matching is one step: records giving that email (in any case) or that phone
number. Nothing is followed from a found record to others, since someone may
have typed another person's details on theirs. Staff tick which records are
the patient's before anything is exported or erased."""

import dataclasses
from collections.abc import Callable

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
from booking.models import Appointment, WaitlistEntry
from consultations.erasure import erase_requests
from consultations.exports import APPOINTMENT_COLUMNS, patient_data
from consultations.models import ConsultationRequest


def normalised_phone(text):
    """`text` as an international number (+442079460958), or "" if it is not
    a phone number. Requests and online bookings store numbers so; the
    waiting list and staff keep them as typed."""
    try:
        number = phonenumbers.parse(text, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _without_separators(field):
    """`field` without the spaces, dashes, dots and brackets people type in
    phone numbers, in SQL."""
    expression = F(field)
    for separator in " -.()":
        expression = Replace(expression, Value(separator), Value(""))
    return expression


@dataclasses.dataclass(frozen=True)
class Contact:
    """The details a patient gave with their data request."""

    email: str = ""
    phone: str = ""

    def __post_init__(self):
        object.__setattr__(self, "email", self.email.strip())
        object.__setattr__(self, "phone", normalised_phone(self.phone))

    def matching(self, queryset, *, email_field, phone_field):
        """The rows of `queryset` giving this email or phone, each with the
        detail that matched, as [(row, ["same email", …])]."""
        found = Q(pk__in=[])
        if self.email:
            found |= Q(**{f"{email_field}__iexact": self.email})
        if self.phone:
            # Numbers typed by hand differ in their separators, not in their
            # last digits: the database narrows, the comparison decides.
            queryset = queryset.annotate(phone_digits=_without_separators(phone_field))
            found |= Q(phone_digits__endswith=self.phone[-4:])
        rows = []
        for row in queryset.filter(found):
            links = self.links(getattr(row, email_field), getattr(row, phone_field))
            if links:
                rows.append((row, links))
        return rows

    def links(self, email, phone):
        links = []
        if self.email and email.lower() == self.email.lower():
            links.append("same email")
        if self.phone and phone and normalised_phone(phone) == self.phone:
            links.append("same phone")
        return links


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of record held about patients, and how staff see one."""

    attribute: str  # PatientRecords' list of them
    tick_box: str  # the name of the page's tick boxes
    title: str
    queryset: Callable
    email_field: str
    phone_field: str
    # (label, name, email, phone, when) for the page's table
    describe: Callable


KINDS = [
    Kind(
        "requests",
        "request",
        "Consultation requests",
        lambda: (
            ConsultationRequest.objects.select_related("source_stretch", "handled_by")
            .prefetch_related(
                "appointments__appointment_type",
                "appointments__clinician",
                "appointments__location",
            )
            .order_by("created_at", "pk")
        ),
        "email",
        "phone",
        lambda c: (
            f"Request #{c.pk}",
            c.full_name,
            c.email,
            c.phone,
            f"received {timezone.localtime(c.created_at):%d %b %Y} ({c.get_status_display()})",
        ),
    ),
    Kind(
        "appointments",
        "appointment",
        "Appointments",
        lambda: Appointment.objects.select_related(
            "appointment_type", "clinician", "location"
        ).order_by("starts_at", "pk"),
        "patient_email",
        "patient_phone",
        lambda a: (
            f"Appointment #{a.pk} ({a.get_source_display()})",
            a.patient_name,
            a.patient_email,
            a.patient_phone,
            f"{timezone.localtime(a.starts_at):%a %d %b %Y, %H:%M} ({a.get_status_display()})",
        ),
    ),
    Kind(
        "waitlist_entries",
        "waitlist_entry",
        "Waiting-list entries",
        lambda: WaitlistEntry.objects.select_related(
            "appointment_type", "clinician", "location"
        ).order_by("created_at", "pk"),
        "email",
        "phone",
        lambda e: (
            f"Waiting-list entry #{e.pk}",
            e.full_name,
            e.email,
            e.phone,
            f"joined {timezone.localtime(e.created_at):%d %b %Y} ({e.get_status_display()})",
        ),
    ),
]


@dataclasses.dataclass
class PatientRecords:
    """Records of each kind (KINDS), in the order they were made."""

    requests: list
    appointments: list
    waitlist_entries: list

    @classmethod
    def matching(cls, contact):
        """Every record giving the contact's email or phone, as (record,
        what matched)."""
        return cls(
            **{
                kind.attribute: contact.matching(
                    kind.queryset(), email_field=kind.email_field, phone_field=kind.phone_field
                )
                for kind in KINDS
            }
        )

    @classmethod
    def numbered(cls, **numbers):
        """The records with these numbers of each kind, for export."""
        return cls(
            **{
                kind.attribute: list(kind.queryset().filter(pk__in=numbers.get(kind.attribute, ())))
                for kind in KINDS
            }
        )

    def __bool__(self):
        return bool(self.requests or self.appointments or self.waitlist_entries)


WAITLIST_COLUMNS = [
    ("Number", lambda e: e.pk),
    ("Joined", lambda e: e.created_at.isoformat(timespec="minutes")),
    ("Status", lambda e: e.get_status_display()),
    ("Full name", lambda e: e.full_name),
    ("Email", lambda e: e.email),
    ("Phone", lambda e: e.phone),
    ("Appointment", lambda e: e.appointment_type.name),
    ("Place", lambda e: e.location.name),
    ("Clinician", lambda e: e.clinician.name if e.clinician else "Any"),
    ("Wanted a time before", lambda e: e.before.isoformat()),
    ("Urgency", lambda e: e.get_urgency_display()),
    ("Consent wording", lambda e: e.consent_text),
]


def export(records, *, by):
    """What is held in `records`, as plain data for the patient, recorded in
    the audit trail. An appointment booked from an exported request is
    listed once, with the request."""
    with_their_requests = {a.pk for c in records.requests for a in c.appointments.all()}
    data = patient_data(records.requests) | {
        "appointments": [
            {title: value(appointment) for title, value in APPOINTMENT_COLUMNS}
            for appointment in records.appointments
            if appointment.pk not in with_their_requests
        ],
        "waiting-list entries": [
            {title: value(entry) for title, value in WAITLIST_COLUMNS}
            for entry in records.waitlist_entries
        ],
    }
    record(
        action=AuditEntry.Action.EXPORTED_JSON,
        by=by,
        request_numbers=[c.pk for c in records.requests],
        detail=_numbers_detail(records),
    )
    return data


def erase(records, *, by):
    """Delete the requests and waiting-list entries in `records` at the
    patient's request. Appointments are the clinic's booking record and are
    kept: staff cancel or change them under Appointments."""
    with transaction.atomic():
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in records.waitlist_entries]).delete()
        erase_requests(records.requests, by=by, detail=_numbers_detail(records, appointments=False))


def _numbers_detail(records, *, appointments=True):
    """The audit entry's detail: which other records were included, by number."""
    parts = []
    if appointments and records.appointments:
        parts.append("appointments " + ", ".join(f"#{a.pk}" for a in records.appointments))
    if records.waitlist_entries:
        parts.append(
            "waiting-list entries " + ", ".join(f"#{e.pk}" for e in records.waitlist_entries)
        )
    return "; ".join(parts)
