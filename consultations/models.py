import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from clinic.models import TimeStampedModel

from . import red_flags
from .red_flags import Urgency

DUPLICATE_WINDOW = datetime.timedelta(days=30)

# What the patient answers on the form: a resent form is compared on these.
ANSWER_FIELDS = [
    "full_name",
    "email",
    "phone",
    "preferred_contact",
    "preferred_days",
    "preferred_time",
    "pain_duration_weeks",
    "pain_intensity",
    "description",
    "red_flags",
]


@dataclass(frozen=True)
class SubmissionOutcome:
    """What saving a sent form did. Unpacks as (request, created), like
    get_or_create()."""

    consultation: "ConsultationRequest"
    created: bool
    updated: bool = False
    urgency_raised: bool = False

    def __iter__(self):
        return iter((self.consultation, self.created))


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=ConsultationRequest.FINISHED_STATUSES)

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

    def sharing_contact_with(self, requests):
        """Other requests giving the same email address (in any case) or
        phone number as one of `requests`, or linked to one as a resent form:
        one step only, never a chain, as someone may type another person's
        contact details."""
        requests = list(requests)
        same = Q(resubmission_of__in=[r.pk for r in requests]) | Q(
            pk__in=[r.resubmission_of_id for r in requests if r.resubmission_of_id]
        )
        for consultation in requests:
            same |= self.model.contact_match(email=consultation.email, phone=consultation.phone)
        return self.filter(same).exclude(pk__in=[r.pk for r in requests])

    def from_same_contact(self, *, email, phone):
        """Requests made with this email address or phone number."""
        return self.filter(self.model.contact_match(email=email, phone=phone))


# The pain diary's summary (static/js/diary-rules.js keeps within it).
DIARY_SUMMARY_MAX_LENGTH = 2000


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

    FINISHED_STATUSES = [Status.CLOSED, Status.DECLINED]

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
    diary_summary = models.TextField(
        "pain diary summary",
        max_length=DIARY_SUMMARY_MAX_LENGTH,
        blank=True,
        help_text="Added by the patient from the pain diary kept on their device, as they saw it.",
    )

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
    # The patient went back and sent the same form with other answers.
    revisions = models.JSONField(
        "changes the patient sent",
        default=list,
        blank=True,
        editable=False,
        help_text="Each time the patient resent this form with other answers: when, and "
        "each changed answer as it was and as it is now.",
    )
    resubmission_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="resubmissions",
        verbose_name="resent form of request",
        help_text="The patient resent that request's form with other answers after staff "
        "had started on it.",
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
            if other.pk == self.resubmission_of_id:
                links.append(f"resent form of #{other.pk}")
            if other.resubmission_of_id == self.pk:
                links.append(f"sent again as #{other.pk}")
        return links

    @classmethod
    def open_first(cls):
        """An ordering term that puts open requests before finished ones
        (closed or declined), so a closed emergency does not stay on top."""
        return Case(When(status__in=cls.FINISHED_STATUSES, then=Value(1)), default=Value(0)).asc()

    def get_absolute_url(self):
        return reverse("admin:consultations_consultationrequest_change", args=[self.pk])

    @property
    def is_urgent(self):
        """Same-day or emergency care advised (not "discuss soon")."""
        return self.urgency >= Urgency.URGENT

    @property
    def red_flag_questions(self):
        return red_flags.describe(self.red_flags)

    @property
    def untouched_by_staff(self):
        return self.status == self.Status.NEW and not self.staff_notes and not self.handled_by_id

    @property
    def is_stored_already(self):
        """Whether this form was sent before. A resend is not rate-limited:
        it updates the stored request, or at most adds one linked to it."""
        return ConsultationRequest.objects.filter(submission_token=self.submission_token).exists()

    def answers(self):
        return {name: getattr(self, name) for name in ANSWER_FIELDS}

    def save_once(self):
        """Save a sent form once, however often it is sent.

        The form's submission token identifies it. Sent again with the same
        answers (a double click, a refresh), the stored request is returned
        untouched. Sent again with other answers (the patient went back and
        changed them), the latest answers count: the stored request takes
        them, with a record of what changed, while staff have not started on
        it; once they have, a new request linked to it is stored instead.
        Resends are serialised on the first request's row, so concurrent ones
        never store two requests or lose the latest answers.
        """
        self.urgency = red_flags.urgency_of(self.red_flags)
        self.possible_duplicate = self._contact_seen_recently()
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:
            pass
        else:
            return SubmissionOutcome(self, created=True)
        with transaction.atomic():
            first = (
                ConsultationRequest.objects.select_for_update()
                .filter(submission_token=self.submission_token)
                .first()
            )
            if first is None:
                raise IntegrityError("A request could not be stored, nor the stored one found.")
            latest = first.resubmissions.order_by("-created_at", "-pk").first() or first
            changes = latest.changes_to(self.answers())
            if not changes:
                return SubmissionOutcome(latest, created=False)
            if latest.untouched_by_staff:
                return latest._take_answers(self, changes)
            self.submission_token = uuid.uuid4()
            self.resubmission_of = first
            self.save()
            return SubmissionOutcome(
                self, created=True, urgency_raised=self.urgency > latest.urgency
            )

    def changes_for_staff(self):
        """Each resend that changed answers, in words: when, and each changed
        answer as it was and as it became."""
        described = []
        for revision in self.revisions:
            at = timezone.localtime(datetime.datetime.fromisoformat(revision["at"]))
            changes = "; ".join(
                f"{self._meta.get_field(name).verbose_name.capitalize()}: "
                f"{self._describe_answer(name, change['old'])} → "
                f"{self._describe_answer(name, change['new'])}"
                for name, change in revision["changes"].items()
            )
            described.append(f"{at:%d %b %Y %H:%M}: {changes}")
        return described

    def _describe_answer(self, name, value):
        if name == "red_flags":
            value = red_flags.describe(value)
        elif self._meta.get_field(name).choices:
            value = dict(self._meta.get_field(name).flatchoices).get(value, value)
        if isinstance(value, list):
            value = ", ".join(value)
        return f"“{value}”" if value not in ("", None) else "(none)"

    def changes_to(self, answers):
        """{field: (stored value, new value)} for each answer that differs."""
        return {
            name: (getattr(self, name), value)
            for name, value in answers.items()
            if getattr(self, name) != value
        }

    def _take_answers(self, sent, changes):
        previous_urgency = self.urgency
        for name, (_, new) in changes.items():
            setattr(self, name, new)
        self.urgency = sent.urgency
        self.revisions = [
            *self.revisions,
            {
                "at": timezone.now().isoformat(timespec="seconds"),
                "changes": {name: {"old": old, "new": new} for name, (old, new) in changes.items()},
            },
        ]
        self.save(update_fields=[*changes, "urgency", "revisions", "updated_at"])
        return SubmissionOutcome(
            self, created=False, updated=True, urgency_raised=self.urgency > previous_urgency
        )

    def _contact_seen_recently(self):
        return (
            ConsultationRequest.objects.from_same_contact(email=self.email, phone=self.phone)
            .filter(created_at__gte=timezone.now() - DUPLICATE_WINDOW)
            .exists()
        )

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
        BOOKING_CONFIRMATION = "booking_confirmation", "Patient: appointment booked"
        BOOKING_CHANGE = "booking_change", "Patient: appointment moved"
        BOOKING_CANCELLATION = "booking_cancellation", "Patient: appointment cancelled"
        BOOKING_REMINDER = "booking_reminder", "Patient: appointment reminder"
        WAITLIST_OFFER = "waitlist_offer", "Patient: an earlier time from the waitlist"

    consultation = models.ForeignKey(
        ConsultationRequest,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        null=True,
        blank=True,
    )
    appointment = models.ForeignKey(
        "booking.Appointment",
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        null=True,
        blank=True,
    )
    waitlist_entry = models.ForeignKey(
        "booking.WaitlistEntry",
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    calendar = models.TextField(
        blank=True, help_text="An iCalendar (.ics) file attached to the email, if any."
    )
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
        if self.consultation_id is None:
            return f"{self.get_kind_display()} for appointment #{self.appointment_id}"
        return f"{self.get_kind_display()} for request #{self.consultation_id}"

    @property
    def is_emergency_staff_alert(self):
        return (
            self.consultation_id is not None
            and self.kind != self.Kind.PATIENT_ACKNOWLEDGEMENT
            and self.consultation.urgency == Urgency.EMERGENCY
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
