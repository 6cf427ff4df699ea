"""Load a realistic sample practice so a fresh database shows a working diary:
two clinics and telehealth, four clinicians, three appointment types, their
weekly hours and the coming bank holidays. Staff replace the samples in the
admin.

It only loads into an empty practice: once any clinician or location exists
(the samples, or staff's own) it changes nothing, so `make run` can run it
every time without undoing staff's edits or bringing deleted samples back."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from booking.models import ClinicClosure, WeeklyHours
from clinic.models import ContentVersion
from practice.models import AppointmentType, Clinician, Location, OpeningHours

WEEKDAYS = (1, 2, 3, 4, 5)

LOCATIONS = [
    {
        "slug": "islington",
        "name": "Islington clinic",
        "is_main": True,
        "order": 1,
        "address": "12 Upper Street\nIslington\nLondon\nN1 0PQ",
        "phone": "020 7946 0123",
        "email": "islington@clinic.example",
        "map_url": "https://www.openstreetmap.org/?mlat=51.5362&mlon=-0.1033#map=18/51.5362/-0.1033",
        "directions": "Two minutes’ walk from Angel Underground station (Northern line). "
        "Buses 4, 19, 30, 38, 43, 73 and 341 stop outside.",
        "accessibility_notes": "Step-free entrance and lift to every floor. An accessible "
        "toilet on the ground floor. Chairs with arms in the waiting room.",
    },
    {
        "slug": "richmond",
        "name": "Richmond clinic",
        "order": 2,
        "address": "4 Hill Rise\nRichmond\nTW10 6UA",
        "phone": "020 7946 0456",
        "email": "richmond@clinic.example",
        "map_url": "https://www.openstreetmap.org/?mlat=51.4582&mlon=-0.3045#map=18/51.4582/-0.3045",
        "directions": "Ten minutes’ walk from Richmond station (District line, Overground "
        "and South Western Railway). Pay-and-display parking on Hill Rise.",
        "accessibility_notes": "Ground-floor treatment rooms; one small step at the entrance, "
        "with a portable ramp on request.",
    },
    {
        "slug": "telehealth",
        "name": "Telehealth (video call)",
        "kind": Location.Kind.TELEHEALTH,
        "order": 3,
        "phone": "020 7946 0123",
        "email": "telehealth@clinic.example",
        # A sample: staff put their video service's waiting-room link here.
        "video_url": "https://video.clinic.example/waiting-room/back-pain",
        "video_call_note": "You need a phone, tablet or computer with a camera, and somewhere "
        "private with room to stand up and move.",
    },
]

OPENING_HOURS = {
    "islington": [(day, "08:30", "18:00") for day in WEEKDAYS] + [(6, "09:00", "13:00")],
    "richmond": [(day, "09:00", "17:30") for day in (2, 3, 4)],
    "telehealth": [(day, "08:00", "19:00") for day in WEEKDAYS],
}

CLINICIANS = [
    {
        "slug": "dr-amira-hassan",
        "name": "Dr Amira Hassan",
        "role": "Consultant in pain medicine",
        "qualifications": "MBBS, FRCA, FFPMRCA",
        "bio": "Dr Hassan has led the clinic’s spine pain service since 2018. She sees "
        "people with long-standing back and leg pain and plans treatment with them.",
        "languages": "English, Arabic",
        "buffer_minutes": 15,
        "order": 1,
    },
    {
        "slug": "dr-tom-whitaker",
        "name": "Dr Tom Whitaker",
        "role": "Consultant in pain medicine",
        "qualifications": "MB ChB, FRCA, FFPMRCA",
        "bio": "Dr Whitaker specialises in sciatica and in helping people back to work "
        "after a long spell of back pain.",
        "languages": "English",
        "buffer_minutes": 15,
        "order": 2,
    },
    {
        "slug": "joanna-kowalska",
        "name": "Joanna Kowalska",
        "role": "Physiotherapist",
        "qualifications": "BSc (Hons) Physiotherapy, MCSP",
        "bio": "Joanna builds exercise plans people can keep up at home, starting from "
        "the stretches on this site.",
        "languages": "English, Polish",
        "buffer_minutes": 10,
        "order": 3,
    },
    {
        "slug": "sam-okafor",
        "name": "Sam Okafor",
        "role": "Physiotherapist",
        "qualifications": "MSc Physiotherapy, MCSP",
        "bio": "Sam works with runners, cyclists and anyone whose back pain stops them "
        "being active.",
        "languages": "English, Yoruba",
        "buffer_minutes": 10,
        "order": 4,
    },
]

APPOINTMENT_TYPES = [
    {
        "slug": "initial-consultation",
        "name": "Initial consultation",
        "duration_minutes": 45,
        "price": "£180, or covered by most private medical insurers",
        "description": "A full assessment of your back pain and a plan agreed with you.",
        "order": 1,
        "clinicians": ["dr-amira-hassan", "dr-tom-whitaker", "joanna-kowalska", "sam-okafor"],
    },
    {
        "slug": "follow-up",
        "name": "Follow-up",
        "duration_minutes": 30,
        "price": "£120",
        "description": "Review how you are doing and adjust the plan.",
        "order": 2,
        "clinicians": ["dr-amira-hassan", "dr-tom-whitaker", "joanna-kowalska", "sam-okafor"],
    },
    {
        "slug": "telehealth-review",
        "name": "Telehealth review",
        "duration_minutes": 20,
        "price": "£80",
        "description": "A short follow-up by video call.",
        "order": 3,
        "clinicians": ["dr-amira-hassan", "joanna-kowalska"],
    },
]

# (clinician, location, weekdays, ranges)
WEEKLY_HOURS = [
    ("dr-amira-hassan", "islington", (1, 3), [("09:00", "12:30"), ("13:30", "17:00")]),
    ("dr-amira-hassan", "telehealth", (5,), [("09:00", "12:00")]),
    ("dr-tom-whitaker", "richmond", (2, 4), [("09:00", "12:30"), ("13:30", "17:00")]),
    ("dr-tom-whitaker", "islington", (5,), [("13:30", "17:00")]),
    ("joanna-kowalska", "islington", (1, 2, 3, 4), [("08:30", "12:30"), ("13:30", "18:00")]),
    ("joanna-kowalska", "telehealth", (5,), [("08:00", "12:00")]),
    ("sam-okafor", "richmond", (2, 3, 4), [("09:00", "13:00"), ("14:00", "17:30")]),
    ("sam-okafor", "islington", (6,), [("09:00", "13:00")]),
]

# England and Wales bank holidays (gov.uk).
BANK_HOLIDAYS = [
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (substitute day)"),
    ("2027-01-01", "New Year’s Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
    ("2027-05-03", "Early May bank holiday"),
    ("2027-05-31", "Spring bank holiday"),
    ("2027-08-30", "Summer bank holiday"),
]


def _time(text):
    return datetime.time.fromisoformat(text)


class Command(BaseCommand):
    help = "Load sample clinicians, locations, appointment types, hours and bank holidays."

    @transaction.atomic
    def handle(self, *args, **options):
        if Clinician.objects.exists() or Location.objects.exists():
            self.stdout.write("The practice already has clinicians or locations: nothing loaded.")
            return
        locations = {}
        for fields in LOCATIONS:
            fields = dict(fields)
            slug = fields.pop("slug")
            locations[slug] = Location.objects.create(slug=slug, **fields)
        for slug, rows in OPENING_HOURS.items():
            OpeningHours.objects.bulk_create(
                OpeningHours(location=locations[slug], weekday=day, opens=_time(a), closes=_time(b))
                for day, a, b in rows
            )
        clinicians = {}
        for fields in CLINICIANS:
            fields = dict(fields)
            slug = fields.pop("slug")
            clinicians[slug] = Clinician.objects.create(slug=slug, **fields)
        for fields in APPOINTMENT_TYPES:
            fields = dict(fields)
            slug = fields.pop("slug")
            offered_by = fields.pop("clinicians")
            appointment_type, _ = AppointmentType.objects.get_or_create(slug=slug, defaults=fields)
            appointment_type.clinicians.add(*(clinicians[c] for c in offered_by))
        WeeklyHours.objects.bulk_create(
            WeeklyHours(
                clinician=clinicians[clinician],
                location=locations[location],
                weekday=day,
                starts=_time(starts),
                ends=_time(ends),
            )
            for clinician, location, days, ranges in WEEKLY_HOURS
            for day in days
            for starts, ends in ranges
        )
        for date, name in BANK_HOLIDAYS:
            ClinicClosure.objects.get_or_create(
                date=datetime.date.fromisoformat(date), location=None, defaults={"name": name}
            )
        # bulk_create sends no signals: the hours are content all the same
        # (clinic/page_cache.py), and the slot search reads them by version.
        ContentVersion.bump()
        self.stdout.write(
            f"Sample practice loaded: {len(locations)} locations, {len(clinicians)} clinicians, "
            f"{len(APPOINTMENT_TYPES)} appointment types, {len(BANK_HOLIDAYS)} bank holidays."
        )
