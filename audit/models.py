from django.db import models
from django.utils import timezone


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail cannot be changed.")

    def delete(self):
        raise PermissionError("The audit trail cannot be deleted.")

    def about_request(self, number):
        """Entries naming request `number` (numbers are stored as ",12,14,")."""
        return self.filter(request_numbers__contains=f",{int(number)},")


class AuditEntry(models.Model):
    """Who did what to which consultation requests, and when; and what staff
    did to the health content (reverts, reviews, drafts, publishing), which
    names no request.

    Entries are written once and never changed or deleted: the model refuses
    updates and deletes, and the admin offers neither. They hold request
    numbers and user names only, never a patient's details, so they outlive
    the requests they name (erasure and the retention purge included)."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed a request's page"
        EXPORTED_CSV = "exported_csv", "Exported requests as CSV"
        EXPORTED_JSON = "exported_json", "Exported patient data (JSON)"
        STATUS_CHANGED = "status_changed", "Changed status"
        ERASED = "erased", "Erased at the patient's request"
        PURGED = "purged", "Deleted after the retention period"
        CONTENT_REVERTED = "content_reverted", "Reverted health content to a version"
        CONTENT_REVIEWED = "content_reviewed", "Marked health content clinically reviewed"
        DRAFT_SAVED = "draft_saved", "Saved a draft of health content"
        DRAFT_DISCARDED = "draft_discarded", "Discarded a draft of health content"
        PUBLISH_SCHEDULED = "publish_scheduled", "Scheduled publishing of a draft"
        CONTENT_PUBLISHED = "content_published", "Published a draft of health content"
        CONTENT_UNPUBLISHED = "content_unpublished", "Unpublished health content on schedule"
        EXPORTED_DAY_CSV = "exported_day_csv", "Exported a day's appointments as CSV"

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # A user name, not a foreign key: the trail outlives staff accounts.
    actor = models.CharField(max_length=150, editable=False)
    action = models.CharField(max_length=20, choices=Action.choices, editable=False)
    request_numbers = models.TextField(editable=False)
    detail = models.TextField(blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail cannot be deleted.")

    @property
    def numbers(self):
        return [int(n) for n in self.request_numbers.strip(",").split(",") if n]
