"""Clinical review of the health content: marking a review done, and
telling content editors what is due."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record

from .models import Guide, Stretch

CONTENT_EDITORS = "Content editors"
REVIEW_PERMISSION = "stretches.review_clinical_content"
# A review falling due within this many days is listed in the weekly email.
DUE_SOON_DAYS = 7


def reviewer_name(user):
    return user.get_full_name() or user.get_username()


def mark_reviewed(*, content, by, today=None):
    """`by`, a clinical reviewer, vouches for `content`'s wording as it is now."""
    if not by.has_perm(REVIEW_PERMISSION):
        raise PermissionError("Only clinical reviewers can mark a review done.")
    content.last_reviewed_on = today or timezone.localdate()
    content.reviewed_by = reviewer_name(by)
    content.awaiting_clinical_review = False
    content.save()
    record(
        action=AuditEntry.Action.CONTENT_REVIEWED,
        by=by,
        request_numbers=[],
        detail=f"{content._meta.verbose_name} #{content.pk} “{content}”"[:200],
    )
    return content


def review_status(content, today):
    """Why `content` needs a clinician, in words, or "" when it does not."""
    if content.awaiting_clinical_review:
        return "clinical wording changed: awaiting review"
    due_on = content.next_review_on
    if due_on is None:
        return "never reviewed"
    if due_on < today:
        return f"overdue since {due_on:%-d %B %Y}"
    if due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return f"due on {due_on:%-d %B %Y}"
    return ""


def content_needing_review(today=None):
    """(content, status) for every guide and stretch due, overdue or awaiting."""
    today = today or timezone.localdate()
    found = []
    for model in (Guide, Stretch):
        for content in model.objects.all():
            status = review_status(content, today)
            if status:
                found.append((content, status))
    return found


def send_review_reminders(*, today=None):
    """Email content editors the list of what needs a clinical review.
    Returns how many editors were written to (none when nothing is due)."""
    needing_review = content_needing_review(today)
    recipients = sorted(
        get_user_model()
        .objects.filter(groups__name=CONTENT_EDITORS, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not needing_review or not recipients:
        return 0
    lines = [
        "These guides and stretches need a clinical review:",
        "",
    ]
    for content, status in needing_review:
        admin_url = reverse(f"admin:stretches_{content._meta.model_name}_change", args=[content.pk])
        lines.append(f"- {content._meta.verbose_name.capitalize()}: {content} ({status})")
        lines.append(f"  {settings.SITE_URL}{admin_url}")
    send_mail(
        subject=f"Clinical review: {len(needing_review)} item(s) due",
        message="\n".join(lines) + "\n",
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)
