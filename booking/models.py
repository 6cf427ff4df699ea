"""When clinicians can be booked, and the appointments and holds that take
their time.

No clinician can ever be in two places at once: every appointment and every
hold claims the fixed-size blocks of time it covers (its buffer included) in
`OccupiedBlock`, whose UNIQUE (clinician, starts_at) constraint the database
enforces on every path, in the same transaction as the appointment itself.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from clinic.models import TimeStampedModel
from consultations.models import ConsultationRequest
from consultations.red_flags import Urgency
from practice.models import AppointmentType, Clinician, Location, Weekday

BLOCK = datetime.timedelta(minutes=5)


def validate_on_five_minutes(value):
    if value.minute % 5 or value.second or value.microsecond:
        raise ValidationError("Use times on the 5-minute mark (9:00, 9:05, …).")


class WeeklyHours(models.Model):
    """A range of time a clinician works at a location every week. A day may
    have several (9:00–12:30 and 13:30–17:00)."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="weekly_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField(validators=[validate_on_five_minutes])
    ends = models.TimeField(validators=[validate_on_five_minutes])

    class Meta:
        ordering = ["clinician", "weekday", "starts"]
        verbose_name_plural = "weekly hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="weekly_hours_end_after_start"
            )
        ]

    def __str__(self):
        return (
            f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}, {self.location}"
        )


class AvailabilityException(models.Model):
    """A dated change to a clinician's weekly hours: time off (leave, training),
    or extra time (a Saturday clinic)."""

    class Kind(models.TextChoices):
        UNAVAILABLE = "unavailable", "Not available (leave, training)"
        EXTRA = "extra", "Extra hours"

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNAVAILABLE)
    date = models.DateField()
    starts = models.TimeField(
        null=True, blank=True, validators=[validate_on_five_minutes], help_text="Empty: all day."
    )
    ends = models.TimeField(null=True, blank=True, validators=[validate_on_five_minutes])
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Where the extra hours are worked. Time off applies everywhere.",
    )
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date", "starts"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.clinician} on {self.date:%d %b %Y}"

    @property
    def is_all_day(self):
        return self.starts is None

    def clean(self):
        if (self.starts is None) != (self.ends is None):
            raise ValidationError("Give both a start and an end time, or neither for all day.")
        if self.starts is not None and self.ends <= self.starts:
            raise ValidationError({"ends": "The end must be after the start."})
        if self.kind == self.Kind.EXTRA and (self.starts is None or self.location_id is None):
            raise ValidationError("Extra hours need a start, an end and a location.")


class ClinicClosure(models.Model):
    """A day the clinic is closed (a bank holiday): everywhere, or at one location."""

    date = models.DateField()
    name = models.CharField(max_length=120, help_text="e.g. “Christmas Day”.")
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Empty: every location.",
    )

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.name} ({self.date:%d %b %Y})"


class Hold(models.Model):
    """A time held for a patient for a few minutes while they fill in their
    details. It claims the same blocks an appointment would."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="holds")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="holds")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self):
        return f"Hold {self.starts_at:%Y-%m-%d %H:%M} UTC with {self.clinician}"


class AppointmentQuerySet(models.QuerySet):
    def with_patient_no_shows(self):
        """Annotate each appointment with its patient's no-show count (by email)."""
        no_shows = (
            Appointment.objects.filter(
                status=Appointment.Status.NO_SHOW, patient_email__iexact=OuterRef("patient_email")
            )
            .annotate(patient=Lower("patient_email"))
            .values("patient")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return self.annotate(patient_no_shows=Coalesce(Subquery(no_shows), 0))


class Appointment(TimeStampedModel):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        ARRIVED = "arrived", "Arrived"
        COMPLETED = "completed", "Completed"
        CANCELLED_BY_PATIENT = "cancelled_by_patient", "Cancelled by the patient"
        CANCELLED_BY_CLINIC = "cancelled_by_clinic", "Cancelled by the clinic"
        NO_SHOW = "no_show", "Did not attend"

    class Source(models.TextChoices):
        ONLINE = "online", "Booked online"
        STAFF = "staff", "Booked by staff (phone or in person)"

    # Statuses that give the time back: their blocks are released.
    FREEING = frozenset({Status.CANCELLED_BY_PATIENT, Status.CANCELLED_BY_CLINIC})
    MOVES = {
        Status.BOOKED: {Status.CONFIRMED, Status.ARRIVED, *FREEING, Status.NO_SHOW},
        Status.CONFIRMED: {Status.ARRIVED, *FREEING, Status.NO_SHOW},
        Status.ARRIVED: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.CANCELLED_BY_PATIENT: set(),
        Status.CANCELLED_BY_CLINIC: set(),
        Status.NO_SHOW: set(),
    }

    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    patient_name = models.CharField(max_length=120)
    patient_email = models.EmailField(blank=True)
    patient_phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ONLINE)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who booked it; empty when the patient booked online.",
    )

    urgency = models.PositiveSmallIntegerField(
        choices=Urgency.choices,
        default=Urgency.ROUTINE,
        db_index=True,
        help_text="From the patient's warning-sign answers when booking online.",
    )
    red_flags = models.JSONField(
        "warning signs ticked", default=list, blank=True, help_text="The codes of the signs."
    )
    pain_duration_weeks = models.PositiveSmallIntegerField(
        "how long the pain has lasted",
        choices=ConsultationRequest.PainDuration.choices,
        null=True,
        blank=True,
    )
    pain_intensity = models.PositiveSmallIntegerField(
        "pain intensity (0–10)", null=True, blank=True
    )
    description = models.TextField("description of the back pain", max_length=4000, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    consent_text = models.TextField("consent wording agreed to", blank=True)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    booking_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Names the patient's online booking: a confirmation sent again "
        "(its reply lost) finds this appointment instead of booking twice.",
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="Raised on every change: the calendar file's SEQUENCE."
    )
    consultation_request = models.ForeignKey(
        ConsultationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name="booked from request",
        help_text="The “call me” request this booking was made from, by staff.",
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            )
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.appointment_type.name} with {self.clinician}, {local:%d %b %Y %H:%M %Z}"

    @property
    def holds_time(self):
        return self.status not in self.FREEING

    def can_move_to(self, status):
        return status in self.MOVES[self.status]


class AppointmentStatusChange(models.Model):
    """One move of an appointment's status: who made it and when."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=30, choices=Appointment.Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Appointment.Status.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_label = models.CharField(
        max_length=60, help_text="Who moved it: a staff user name, “patient” or “automatic”."
    )

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status} by {self.changed_by_label}"


class OccupiedBlock(models.Model):
    """A 5-minute block of a clinician's time taken by an appointment or a hold.

    The UNIQUE (clinician, starts_at) constraint is what makes double booking
    impossible on SQLite and PostgreSQL alike: two claims on one block cannot
    both commit, whatever path they come from.
    """

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="blocks"
    )
    hold = models.ForeignKey(
        Hold, on_delete=models.CASCADE, null=True, blank=True, related_name="blocks"
    )

    class Meta:
        ordering = ["clinician", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "starts_at"], name="one_claim_per_clinician_block"
            ),
            models.CheckConstraint(
                condition=Q(appointment__isnull=False, hold__isnull=True)
                | Q(appointment__isnull=True, hold__isnull=False),
                name="block_taken_by_appointment_or_hold",
            ),
        ]
        # Every day view reads a week of blocks for their holds
        # (`availability.search_fingerprint`): answered from this index
        # alone, without visiting the table (190 → 117 µs for 660 blocks).
        indexes = [
            models.Index(fields=["clinician", "starts_at", "hold"], name="block_search_by_hold")
        ]

    def __str__(self):
        return f"{self.clinician_id} @ {self.starts_at:%Y-%m-%d %H:%M} UTC"


class ReminderQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Reminder.Status.PENDING)

    def due(self, *, now, hours_before):
        """Pending reminders whose appointment starts within `hours_before`
        hours and has not begun."""
        return self.pending().filter(
            starts_at__gt=now, starts_at__lte=now + datetime.timedelta(hours=hours_before)
        )


class Reminder(TimeStampedModel):
    """The email that reminds a patient of one appointment at one start time.

    A move cancels it and makes a new one for the new time, so a reminder for
    an old time can never go out. The worker claims a pending reminder with a
    conditional update and writes its outbox message in the same transaction
    (booking/reminders.py): it is sent once, whatever runs at the same time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting until it is due"
        SENT = "sent", "Written to the outbox"
        CANCELLED = "cancelled", "Cancelled (the appointment moved or was cancelled)"
        MISSED = "missed", "Not sent: the appointment had begun"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    starts_at = models.DateTimeField(
        db_index=True, help_text="The start time this reminder is about."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "consultations.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(status="pending"),
                name="one_pending_reminder_per_appointment",
            )
        ]

    def __str__(self):
        return f"Reminder for {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.get_status_display()})"


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=WaitlistEntry.Status.WAITING)


class WaitlistEntry(TimeStampedModel):
    """A patient who asked to hear about an earlier time than the day view
    offered them: for one type and location, with one clinician or any, on a
    day before `before`. Personal data: purged once `before` has passed
    (booking/waitlist.py)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for a time"
        BOOKED = "booked", "Booked a time from the list"

    full_name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(
        Clinician,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: any clinician who offers the type.",
    )
    before = models.DateField(help_text="Tell the patient about free times on days before this.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.ROUTINE)
    red_flags = models.JSONField("warning signs ticked", default=list, blank=True)
    consent_text = models.TextField("consent to be emailed, as agreed to")
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The appointment booked from an offer.",
    )

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "waitlist entries"

    def __str__(self):
        # No personal data: this is what Django's admin log keeps.
        return (
            f"Waitlist entry #{self.pk}: {self.appointment_type.name} before {self.before:%d %b %Y}"
        )


class FreedTime(models.Model):
    """A time given back by a cancellation or a move, waiting for the worker
    to offer it to the waitlist. An expired hold is not one: nobody lost it."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    freed_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["freed_at"]

    def __str__(self):
        return f"{self.clinician} @ {self.starts_at:%Y-%m-%d %H:%M} UTC"


class WaitlistOffer(models.Model):
    """A freed time emailed to one waitlisted patient. Whoever claims first
    holds it through hold_slot: the same constraint as every booking."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    offered_at = models.DateTimeField()

    class Meta:
        ordering = ["offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "clinician", "starts_at"], name="one_offer_per_entry_and_time"
            )
        ]

    def __str__(self):
        return f"Offer of {self.starts_at:%Y-%m-%d %H:%M} UTC to waitlist entry #{self.entry_id}"


class Diary(Appointment):
    """The staff diary, listed in the admin beside appointments. It holds no
    rows of its own and no permissions: the appointment permissions govern it."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = "diary"
        verbose_name_plural = "diary"
