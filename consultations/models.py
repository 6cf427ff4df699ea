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

    def older_than_months(self, months):
        """Requests received more than `months` months ago (a month counted as 30 days)."""
        return self.filter(created_at__lt=timezone.now() - datetime.timedelta(days=30 * months))

    def of_same_patients_as(self, requests):
        """Every request sharing an email address or phone number with any of
        `requests`, or linked to one as a resent form, followed through chains
        (a request giving both links the ones giving either): what the clinic
        holds about those patients."""
        found = {r.pk: r for r in requests}
        while True:
            emails = {r.email.lower() for r in found.values() if r.email}
            phones = {r.phone for r in found.values() if r.phone}
            resent = {r.resubmission_of_id for r in found.values() if r.resubmission_of_id}
            same = (
                Q(pk__in=found)
                | Q(phone__in=phones)
                | Q(pk__in=resent)
                | Q(resubmission_of__in=found)
            )
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

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency", "-created_at"]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["phone"])]

    def __str__(self):
        return f"Request #{self.pk} from {self.full_name}"

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
