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

    def older_than_months(self, months):
        """Requests received more than `months` months ago (a month counted as 30 days)."""
        return self.filter(created_at__lt=timezone.now() - datetime.timedelta(days=30 * months))

    def sharing_contact_with(self, requests):
        """Other requests giving the same email address (in any case) or
        phone number as one of `requests`: one step only, never a chain, as
        someone may type another person's contact details."""
        requests = list(requests)
        same = Q(pk__in=[])
        for consultation in requests:
            same |= self.model.contact_match(email=consultation.email, phone=consultation.phone)
        return self.filter(same).exclude(pk__in=[r.pk for r in requests])

    def from_same_contact(self, *, email, phone):
        """Requests made with this email address or phone number."""
        return self.filter(self.model.contact_match(email=email, phone=phone))


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

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency", "-created_at"]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["phone"])]

    def __str__(self):
        # No personal data: this is what Django's admin log keeps.
        return f"Request #{self.pk}"

    @staticmethod
    def contact_match(*, email, phone):
        """A filter for requests made with this email address or phone number."""
        same_contact = Q(pk__in=[])
        if email:
            same_contact |= Q(email__iexact=email)
        if phone:
            same_contact |= Q(phone=phone)
        return same_contact

    def contact_links_to(self, others):
        """How this request's contact details match `others`: ["same email
        as #12", "same phone as #14"]."""
        links = []
        for other in others:
            if self.email and self.email.lower() == other.email.lower():
                links.append(f"same email as #{other.pk}")
            if self.phone and self.phone == other.phone:
                links.append(f"same phone as #{other.pk}")
        return links

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
