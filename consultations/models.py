import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clinic.models import TimeStampedModel

from . import red_flags
from .red_flags import Urgency

DUPLICATE_WINDOW = datetime.timedelta(days=30)


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(
            status__in=[ConsultationRequest.Status.CLOSED, ConsultationRequest.Status.DECLINED]
        )

    def finished(self):
        return self.filter(
            status__in=[ConsultationRequest.Status.CLOSED, ConsultationRequest.Status.DECLINED]
        )

    def unopened_emergencies(self, *, received_before):
        """Emergency requests still new that no staff member has opened and
        that arrived before `received_before`."""
        return self.filter(
            urgency=Urgency.EMERGENCY,
            status=ConsultationRequest.Status.NEW,
            first_opened_at__isnull=True,
            created_at__lt=received_before,
        )

    def older_than_months(self, months, *, now=None):
        """Requests received more than `months` months ago (a month counted as 30 days)."""
        now = now or timezone.now()
        return self.filter(created_at__lt=now - datetime.timedelta(days=30 * months))

    def of_same_patients_as(self, requests):
        """Every request sharing an email address or phone number with any of
        `requests`, followed through chains (a request giving both links the
        ones giving either): what the clinic holds about those patients."""
        found = {r.pk: r for r in requests}
        while True:
            emails = {r.email.lower() for r in found.values() if r.email}
            phones = {r.phone for r in found.values() if r.phone}
            same = Q(pk__in=found) | Q(phone__in=phones)
            for email in emails:
                same |= Q(email__iexact=email)
            linked = {r.pk: r for r in self.filter(same)}
            if linked.keys() <= found.keys():
                return self.filter(pk__in=found)
            found |= linked

    def from_same_contact(self, *, email, phone):
        """Requests made with this email address or phone number."""
        same_contact = Q(pk__in=[])
        if email:
            same_contact |= Q(email__iexact=email)
        if phone:
            same_contact |= Q(phone=phone)
        return self.filter(same_contact)


class ConsultationRequest(TimeStampedModel):
    """A patient's request for a consultation, and the clinic's handling of it.

    Everything the patient sent is kept as sent; staff add notes and move the
    request through its status workflow.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SCHEDULED = "scheduled", "Scheduled"
        CLOSED = "closed", "Closed"
        DECLINED = "declined", "Declined"

    class ContactMethod(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    class TimeOfDay(models.TextChoices):
        ANY = "any", "Any time"
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"
        EVENING = "evening", "Evening"

    class PainDuration(models.IntegerChoices):
        """How long the pain has lasted, stored as weeks (the upper bound of
        each answer) so that staff can sort by it."""

        UNDER_A_WEEK = 1, "Less than a week"
        UP_TO_6_WEEKS = 6, "1 to 6 weeks"
        UP_TO_12_WEEKS = 12, "6 to 12 weeks"
        UP_TO_A_YEAR = 52, "3 to 12 months"
        OVER_A_YEAR = 104, "More than a year"

    # Which moves staff may make; any open request can also be declined.
    NEXT_STATUSES = {
        Status.NEW: {Status.CONTACTED, Status.DECLINED},
        Status.CONTACTED: {Status.SCHEDULED, Status.CLOSED, Status.DECLINED},
        Status.SCHEDULED: {Status.CLOSED, Status.DECLINED},
        Status.CLOSED: set(),
        Status.DECLINED: set(),
    }

    # What the patient sent.
    full_name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text="In international format.")
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices)
    preferred_days = models.JSONField(default=list, blank=True)
    preferred_time = models.CharField(
        max_length=10, choices=TimeOfDay.choices, default=TimeOfDay.ANY
    )
    pain_duration_weeks = models.PositiveSmallIntegerField(
        "how long the pain has lasted", choices=PainDuration.choices
    )
    pain_intensity = models.PositiveSmallIntegerField(
        "pain intensity (0–10)", validators=[MaxValueValidator(10)]
    )
    description = models.TextField("description of the back pain", max_length=4000)
    red_flags = models.JSONField("warning signs ticked", default=list, blank=True)
    urgency = models.PositiveSmallIntegerField(
        choices=Urgency.choices, default=Urgency.ROUTINE, db_index=True
    )
    source_stretch = models.ForeignKey(
        "stretches.Stretch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_requests",
        verbose_name="stretch the patient came from",
    )
    source_page = models.CharField("page the patient came from", max_length=500, blank=True)

    # Proof of consent: what the patient agreed to, when, and where.
    consent_version = models.CharField(max_length=20)
    consent_text = models.TextField("consent wording agreed to")
    consent_given_at = models.DateTimeField()
    consent_page = models.CharField("page consent was given on", max_length=500)

    # A double-clicked or re-sent form carries the same token: one request.
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    possible_duplicate = models.BooleanField(
        default=False,
        help_text="The same email or phone sent a request in the 30 days before this one.",
    )

    # The clinic's handling.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    staff_notes = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_consultation_requests",
    )
    contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When a staff member first opened the request in the admin: an emergency
    # nobody has opened gets a second alert.
    first_opened_at = models.DateTimeField(null=True, blank=True)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency", "-created_at"]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["phone"])]

    def __str__(self):
        return f"Request #{self.pk} from {self.full_name}"

    def get_absolute_url(self):
        return reverse("admin:consultations_consultationrequest_change", args=[self.pk])

    @property
    def is_urgent(self):
        return self.urgency > Urgency.ROUTINE

    @property
    def red_flag_questions(self):
        return red_flags.describe(self.red_flags)

    def save_once(self):
        """Save a new request unless one with the same submission token is
        already stored (a double click, a resent form). Returns the stored
        request and whether it is new."""
        self.urgency = red_flags.urgency_of(self.red_flags)
        self.possible_duplicate = (
            ConsultationRequest.objects.from_same_contact(email=self.email, phone=self.phone)
            .filter(created_at__gte=timezone.now() - DUPLICATE_WINDOW)
            .exists()
        )
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:
            stored = ConsultationRequest.objects.filter(
                submission_token=self.submission_token
            ).first()
            if stored is None:
                raise
            return stored, False
        return self, True

    def record_opened_by(self, user):
        """Remember the first staff member to open this request (later
        openings change nothing)."""
        now = timezone.now()
        first = ConsultationRequest.objects.filter(pk=self.pk, first_opened_at__isnull=True).update(
            first_opened_at=now, first_opened_by=user
        )
        if first:
            self.first_opened_at, self.first_opened_by = now, user

    def can_move_to(self, status):
        return status in self.NEXT_STATUSES[self.status]

    def move_to(self, status, *, by):
        """Move the request along the workflow and save it."""
        self.apply_status(status, by=by)
        self.save(update_fields=["status", "handled_by", "contacted_at", "closed_at", "updated_at"])

    def apply_status(self, status, *, by):
        """Set a new status, recording who made the move and when (unsaved)."""
        if not self.can_move_to(status):
            raise ValueError(
                f"A {self.get_status_display().lower()} request cannot become {status}."
            )
        now = timezone.now()
        self.status = status
        self.handled_by = by
        if status in {self.Status.CONTACTED, self.Status.SCHEDULED} and self.contacted_at is None:
            self.contacted_at = now
        if status in {self.Status.CLOSED, self.Status.DECLINED}:
            self.closed_at = now


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)

    def alarms(self):
        """Undelivered emergency notifications that staff have not dismissed."""
        return self.filter(alarm_raised_at__isnull=False, alarm_dismissed_at__isnull=True).exclude(
            status=OutboxMessage.Status.SENT
        )


class OutboxMessage(TimeStampedModel):
    """An email about a consultation request, written in the same transaction
    as the request and sent by the worker (see consultations/outbox.py).

    Subject and body never carry health or contact details; the recipients
    are staff addresses or the patient's own address.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: no more tries"

    class Kind(models.TextChoices):
        STAFF_NOTIFICATION = "staff_notification", "Staff: new request"
        PATIENT_ACKNOWLEDGEMENT = "patient_acknowledgement", "Patient: acknowledgement"
        EMERGENCY_ESCALATION = "emergency_escalation", "Staff: emergency not yet opened"

    consultation = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField("next try", null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    alarm_raised_at = models.DateTimeField(null=True, blank=True)
    alarm_dismissed_at = models.DateTimeField(null=True, blank=True)
    alarm_dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbox message"

    def __str__(self):
        return f"{self.get_kind_display()} for request #{self.consultation_id}"

    @property
    def is_emergency_staff_alert(self):
        return self.kind != self.Kind.PATIENT_ACKNOWLEDGEMENT and (
            self.consultation.urgency == Urgency.EMERGENCY
        )

    def record_delivery(self, *, now):
        self.status = self.Status.SENT
        self.attempts += 1
        self.sent_at = now
        self.next_attempt_at = None
        self.last_error = ""
        self.save(
            update_fields=[
                "status",
                "attempts",
                "sent_at",
                "next_attempt_at",
                "last_error",
                "updated_at",
            ]
        )

    def record_failure(self, *, error, now, max_attempts, retry_seconds, retry_max_seconds):
        """Count a failed try: wait twice as long as last time before the
        next one, or give up after `max_attempts` tries, raising the alarm
        when staff were not told about an emergency."""
        self.attempts += 1
        self.last_error = error
        if self.attempts < max_attempts:
            wait = min(retry_seconds * 2 ** (self.attempts - 1), retry_max_seconds)
            self.next_attempt_at = now + datetime.timedelta(seconds=wait)
        else:
            self.status = self.Status.FAILED
            self.next_attempt_at = None
            if self.is_emergency_staff_alert and self.alarm_raised_at is None:
                self.alarm_raised_at = now
        self.save(
            update_fields=[
                "status",
                "attempts",
                "last_error",
                "next_attempt_at",
                "alarm_raised_at",
                "updated_at",
            ]
        )

    def dismiss_alarm(self, *, by, now=None):
        self.alarm_dismissed_at = now or timezone.now()
        self.alarm_dismissed_by = by
        self.save(update_fields=["alarm_dismissed_at", "alarm_dismissed_by", "updated_at"])
